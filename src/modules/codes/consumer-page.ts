import { label } from '../../web/lib/vocabulary.js';
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
    origin: '产地',
    base: '基地',
    share: '占比',
    harvest: '采收',
    rootAge: '参龄',
    years: '年',
    processing: '加工过程',
    tests: '检验结果',
    certificates: '证书',
    selfDeclared: '企业自我声明，未经认证机构确认',
    gi: '地理标志产品',
    scans: '查验记录',
    firstVerified: '首次查验',
    listSep: '，',
    near: (region: string) => `${region}附近`,
    thisScan: '（即本次查验）',
    networks: (n: number, count: number, window: string) => `近 ${window}内有 ${n} 个不同网络查验过此码（共 ${count} 次）`,
    herb: '药材',
    log: '公开可验证日志',
    logged: (records: number, lastIndex: number, treeSize: number, at: string) =>
      `本产品的 ${records} 条记录已全部写入公开可验证日志（最后一条为日志第 ${lastIndex + 1} 条），包含它们的检查点共 ${treeSize} 条，签发于 ${at}（北京时间）。`,
    logging: (records: number) => `本产品的 ${records} 条记录正在写入公开可验证日志，稍后再查即可看到。`,
    logHelp: '任何人都可以用日志公钥核对这些记录此后未被修改或删除。',
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
    origin: 'Origin',
    base: 'Base',
    share: 'share',
    harvest: 'Harvest',
    rootAge: 'Root age',
    years: 'years',
    processing: 'Processing',
    tests: 'Lab tests',
    certificates: 'Certificates',
    selfDeclared: 'self-declared by the company, not confirmed by a certification body',
    gi: 'Geographical indication',
    scans: 'Verification record',
    firstVerified: 'First verified',
    listSep: ', ',
    near: (region: string) => `near ${region}`,
    thisScan: ' (this scan)',
    networks: (n: number, count: number, window: string) =>
      `Verified from ${n} different network${n === 1 ? '' : 's'} in the last ${window} (${count} scan${count === 1 ? '' : 's'})`,
    herb: 'Herb',
    log: 'Public verifiable log',
    logged: (records: number, lastIndex: number, treeSize: number, at: string) =>
      `All ${records} records of this product are in the public verifiable log (the last is entry ${lastIndex + 1}), under the checkpoint of ${treeSize} entries signed ${at} (China time).`,
    logging: (records: number) => `The ${records} records of this product are being written to the public verifiable log; check again shortly.`,
    logHelp: 'Anyone can check with the log’s public key that they have not been changed or removed since.',
    none: 'Nothing recorded',
    more: (n: number) => `and ${n} more origin bases`,
    switchLang: '中文',
    footer: 'Recorded by the companies along the chain; served by HerbTrace.',
  },
};

const COLOURS: Record<VerdictValue, string> = { genuine: '#1b7f3b', recalled: '#b3261e', suspicious: '#b35c00', void: '#5f6368', unknown: '#b3261e' };

const day = (iso: string) => iso.slice(0, 10);
/** "2026-12-02 10:00" of an ISO timestamp with its offset. */
const minute = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;

/** The product's records in the public log: the checkpoint that includes them, or that they are on their way. */
function logRecord(log: NonNullable<ConsumerResolveView['log']>, lang: Lang): string {
  const L = LABELS[lang];
  const e = escapeHtml;
  const text = log.inLog && log.lastIndex !== null && log.treeSize !== null && log.checkpointAt !== null ? L.logged(log.records, log.lastIndex, log.treeSize, minute(log.checkpointAt)) : L.logging(log.records);
  return `<section class="log" data-in-log="${log.inLog}"><h2>${e(L.log)}</h2><p>${e(text)}</p><p class="muted">${e(L.logHelp)} <a href="/log/checkpoint">/log/checkpoint</a></p></section>`;
}

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
    parts.push(
      section(
        L.product,
        `<table>${row(L.product, p.name)}${p.herb !== p.name ? row(L.herb, p.herb) : ''}${row(L.lotNumber, p.lotNumber)}${view.producer ? row(L.producer, `${view.producer.name}${view.producer.region ? ` · ${view.producer.region}` : ''}`) : ''}${row(L.producedAt, day(p.producedAt))}${p.expiryDate ? row(L.expiry, p.expiryDate) : ''}${row(L.status, label('lotStatuses', p.status, lang))}</table>`,
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
        list(view.processing.map((s) => `<li><b>${e(label('stages', s.stage, lang))}</b> · ${e(day(s.date))} · ${e(s.organization)}${s.steps.length ? `<br>${s.steps.map(e).join(' → ')}` : ''}</li>`)),
      ),
      section(
        L.tests,
        list(view.tests.map((t) => `<li><b class="${t.verdict === 'pass' ? 'ok' : 'bad'}">${e(label('labVerdicts', t.verdict, lang))}</b> · ${e(label('stages', t.stage, lang))} ${e(t.lotNumber)}<br><span class="muted">${e(t.lab)} · ${e(day(t.testedAt))}</span></li>`)),
      ),
      section(
        L.certificates,
        list([
          ...view.giClaims.map((g) => `<li><b>${e(L.gi)}</b> · ${e(g.nameZh)}</li>`),
          ...view.certificates.map((c) => `<li${c.assertion === 'confirmed' ? '' : ' data-assertion="self_declared"'}><b>${e(label('certificateKinds', c.kind, lang))}</b> · ${e(c.organization)}${c.assertion === 'confirmed' ? '' : ` <span class="muted">(${e(L.selfDeclared)})</span>`}<br><span class="muted">${e(c.authority)} ${e(c.number)} · ${e(c.validUntil)}</span></li>`),
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
${view.log ? logRecord(view.log, lang) : ''}
<footer><p><a href="${e(selfPath)}?lang=${other}">${e(L.switchLang)}</a></p><p>${e(L.footer)}</p></footer>
</main></body></html>`;
}
