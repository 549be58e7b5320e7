// A refusal in the person's language: the shared vocabulary's explanation of the rule, and where the server
// named fields, which ones.
import { explainProblem } from '../lib/vocabulary.js';
import { lang } from './state.js';

const APP_PROBLEMS = {
  '/problems/app/dependency-missing': {
    'zh-CN': '它依赖的前一条记录已被放弃，这条记录无法上传。请放弃或重新录入。',
    en: 'The earlier record it depends on was discarded, so this one cannot be sent. Discard it or enter it again.',
  },
};

export function explain(problem) {
  const own = problem && APP_PROBLEMS[problem.type];
  if (own) return own[lang()] ?? own['zh-CN'];
  return explainProblem(problem, lang());
}
