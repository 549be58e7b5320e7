import type { ConsumerResolveView, VerdictValue } from './codes.schemas.js';
import { windowText, type Lang } from './resolve.service.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (value: unknown) => String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const LABELS = {
  'zh-CN': {
    title: '药材溯源查询',
    verdict: { genuine: '正品', recalled: '已召回', suspicious: '可疑', void: '已作废', unknown: '未知' } as Record<VerdictValue, string>,
    product: '产品',
    lotNumber: '批号',
    producer: '生产企业',
    producedAt: '生产日期',
    expiry: '有效期至',
    status: '批次状态',
    statuses: { active: '正常', hold: '暂停销售（调查中）', recalled: '已召回', destroyed: '已销毁' } as Record<string, string>,
    origin: '产地',
    base: '基地',
    share: '占比',
    harvest: '采收',
    rootAge: '参龄',
    years: '年',
    processing: '加工过程',
    tests: '检验结果',
    testVerdicts: { pass: '合格', fail: '不合格', incomplete: '项目不全' } as Record<string, string>,
    certificates: '证书',
    certKinds: { gap: 'GAP 基地认证', organic: '有机认证', gi_use: '地理标志使用授权' } as Record<string, string>,
    selfDeclared: '企业自我声明，未经认证机构确认',
    gi: '地理标志产品',
    scans: '查验记录',
    firstVerified: '首次查验',
    listSep: '，',
    near: (region: string) => `${region}附近`,
    thisScan: '（即本次查验）',
    networks: (n: number, count: number, window: string) => `近 ${window}内有 ${n} 个不同网络查验过此码（共 ${count} 次）`,
    stages: { seed: '种子种苗', cultivation: '种植养殖', harvest: '采收', processed: '产地加工', decoction_piece: '饮片炮制', product: '成品' } as Record<string, string>,
    none: '暂无记录',
    more: (n: number) => `另有 ${n} 个产地基地`,
    switchLang: 'English',
    footer: '信息由产业链各环节企业录入，HerbTrace 药材溯源平台提供查询。',
  },
  en: {
    title: 'Herb traceability check',
    verdict: { genuine: 'Genuine', recalled: 'Recalled', suspicious: 'Suspicious', void: 'Void', unknown: 'Unknown' } as Record<VerdictValue, string>,
    product: 'Product',
    lotNumber: 'Lot',
    producer: 'Producer',
    producedAt: 'Produced',
    expiry: 'Best before',
    status: 'Lot status',
    statuses: { active: 'Normal', hold: 'On hold (under investigation)', recalled: 'Recalled', destroyed: 'Destroyed' } as Record<string, string>,
    origin: 'Origin',
    base: 'Base',
    share: 'share',
    harvest: 'Harvest',
    rootAge: 'Root age',
    years: 'years',
    processing: 'Processing',
    tests: 'Lab tests',
    testVerdicts: { pass: 'Passed', fail: 'Failed', incomplete: 'Incomplete' } as Record<string, string>,
    certificates: 'Certificates',
    certKinds: { gap: 'GAP base certificate', organic: 'Organic certificate', gi_use: 'Geographical indication licence' } as Record<string, string>,
    selfDeclared: 'self-declared by the company, not confirmed by a certification body',
    gi: 'Geographical indication',
    scans: 'Verification record',
    firstVerified: 'First verified',
    listSep: ', ',
    near: (region: string) => `near ${region}`,
    thisScan: ' (this scan)',
    networks: (n: number, count: number, window: string) =>
      `Verified from ${n} different network${n === 1 ? '' : 's'} in the last ${window} (${count} scan${count === 1 ? '' : 's'})`,
    stages: { seed: 'Seed', cultivation: 'Cultivation', harvest: 'Harvest', processed: 'Origin processing', decoction_piece: 'Decoction pieces', product: 'Product' } as Record<string, string>,
    none: 'Nothing recorded',
    more: (n: number) => `and ${n} more origin bases`,
    switchLang: '中文',
    footer: 'Recorded by the companies along the chain; served by HerbTrace.',
  },
};

const COLOURS: Record<VerdictValue, string> = { genuine: '#1b7f3b', recalled: '#b3261e', suspicious: '#b35c00', void: '#5f6368', unknown: '#b3261e' };

const day = (iso: string) => iso.slice(0, 10);

/** "First verified on DATE in REGION" and how many networks scanned the code: what a buyer can judge. */
function scanRecord(scans: NonNullable<ConsumerResolveView['scans']>, lang: Lang): string {
  const L = LABELS[lang];
  const e = escapeHtml;
  const first = scans.firstVerified;
  const where = first.region ? `${L.listSep}${first.region.approximate ? L.near(first.region.name) : first.region.name}` : '';
  return `<section class="scans"><h2>${e(L.scans)}</h2><p class="first-verified">${e(L.firstVerified)}${lang === 'en' ? ': ' : '：'}${e(day(first.at))}${e(where)}${first.thisScan ? e(L.thisScan) : ''}</p>
<p class="networks">${e(L.networks(scans.networks, scans.count, windowText(lang, scans.windowHours)))}</p></section>`;
}

/** The consumer page: one small self-contained document (inline CSS, no scripts, no external assets). */
export function renderConsumerPage(view: ConsumerResolveView, lang: Lang, selfPath: string): string {
  const L = LABELS[lang];
  const e = escapeHtml;
  const row = (k: string, v: unknown) => `<tr><th>${e(k)}</th><td>${e(v)}</td></tr>`;
  const section = (title: string, body: string) => `<section><h2>${e(title)}</h2>${body}</section>`;
  const list = (items: string[]) => (items.length ? `<ul>${items.join('')}</ul>` : `<p class="muted">${e(L.none)}</p>`);
  const p = view.product;
  const parts: string[] = [];
  if (p) {
    const name = lang === 'en' && p.name === p.species.nameZh ? `${p.species.nameEn} (${p.species.nameZh})` : p.name;
    parts.push(
      section(
        L.product,
        `<table>${row(L.product, name)}${row(L.lotNumber, p.lotNumber)}${view.producer ? row(L.producer, `${view.producer.name}${view.producer.region ? ` · ${view.producer.region}` : ''}`) : ''}${row(L.producedAt, day(p.producedAt))}${p.expiryDate ? row(L.expiry, p.expiryDate) : ''}${row(L.status, L.statuses[p.status] ?? p.status)}</table>`,
      ),
      section(
        L.origin,
        list(view.origins.map((o) => `<li><b>${e(o.region ?? '')}</b>${o.base ? ` · ${e(L.base)}: ${e(o.base)}` : ''}<br><span class="muted">${e(o.organization)} · ${e(L.share)} ${e(o.sharePct.toFixed(1))}%</span></li>`).concat(view.moreOrigins > 0 ? [`<li class="muted">${e(L.more(view.moreOrigins))}</li>`] : [])),
      ),
      section(
        L.harvest,
        list(view.harvests.map((h) => `<li>${e(day(h.date))}${h.rootAgeYears !== null ? ` · ${e(L.rootAge)} ${e(h.rootAgeYears)} ${e(L.years)}` : ''}${h.antlerGrade ? ` · ${e(h.antlerGrade)}` : ''}</li>`)),
      ),
      section(
        L.processing,
        list(view.processing.map((s) => `<li><b>${e(L.stages[s.stage] ?? s.stage)}</b> · ${e(day(s.date))} · ${e(s.organization)}${s.steps.length ? `<br>${s.steps.map(e).join(' → ')}` : ''}</li>`)),
      ),
      section(
        L.tests,
        list(view.tests.map((t) => `<li><b class="${t.verdict === 'pass' ? 'ok' : 'bad'}">${e(L.testVerdicts[t.verdict] ?? t.verdict)}</b> · ${e(L.stages[t.stage] ?? t.stage)} ${e(t.lotNumber)}<br><span class="muted">${e(t.lab)} · ${e(day(t.testedAt))}</span></li>`)),
      ),
      section(
        L.certificates,
        list([
          ...view.giClaims.map((g) => `<li><b>${e(L.gi)}</b> · ${e(g.nameZh)}</li>`),
          ...view.certificates.map((c) => `<li${c.assertion === 'confirmed' ? '' : ' data-assertion="self_declared"'}><b>${e(L.certKinds[c.kind] ?? c.kind)}</b> · ${e(c.organization)}${c.assertion === 'confirmed' ? '' : ` <span class="muted">(${e(L.selfDeclared)})</span>`}<br><span class="muted">${e(c.authority)} ${e(c.number)} · ${e(c.validUntil)}</span></li>`),
        ]),
      ),
    );
  }
  const other = lang === 'en' ? 'zh' : 'en';
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${e(L.title)}</title>
<style>body{margin:0;font:16px/1.5 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;background:#f4f4f2;color:#1f1f1f}
main{max-width:36rem;margin:0 auto;padding:1rem}.verdict{border-radius:12px;padding:1rem;color:#fff;background:${COLOURS[view.verdict]}}
.verdict h1{margin:0;font-size:1.6rem}.verdict p{margin:.4rem 0 0}.warn{background:#fff4e5;border-left:4px solid #b35c00;padding:.75rem;margin:1rem 0;border-radius:6px}
section{background:#fff;border-radius:12px;padding:.75rem 1rem;margin:1rem 0}h2{font-size:1.05rem;margin:0 0 .5rem}table{border-collapse:collapse;width:100%}
th{text-align:left;font-weight:normal;color:#5f6368;padding:.2rem .75rem .2rem 0;white-space:nowrap;vertical-align:top}td{padding:.2rem 0}
ul{margin:0;padding-left:1.1rem}li{margin:.3rem 0}.muted{color:#5f6368;font-size:.9rem}.ok{color:#1b7f3b}.bad{color:#b3261e}footer{font-size:.8rem;color:#5f6368;text-align:center}.scans p{margin:.2rem 0}
a{color:#0b57d0}</style></head>
<body><main>
<div class="verdict" data-verdict="${view.verdict}"><h1>${e(L.verdict[view.verdict])}</h1><p>${e(view.message)}</p></div>
${view.warning ? `<p class="warn" role="alert">${e(view.warning)}</p>` : ''}
${view.scans ? scanRecord(view.scans, lang) : ''}
${parts.join('\n')}
<footer><p><a href="${e(selfPath)}?lang=${other}">${e(L.switchLang)}</a></p><p>${e(L.footer)}</p></footer>
</main></body></html>`;
}
