// HerbTrace's one vocabulary, in zh-CN and en: the web app (/app/, as a plain ES module) and the server
// (consumer page, GET /v1/vocabulary) import this same file, so a term, a unit or a rule explanation is written
// once. No imports and no Node or DOM APIs: it runs in a browser, in a service worker and in Node alike.
// Keys are what the API stores (`process.steps[].op` holds the Chinese term, so operations are keyed by it).
// Limits are the server's own where it enforces any (tests/unit/vocabulary.test.ts holds them to it); the
// server still decides.

/** @typedef {'zh-CN' | 'en'} Lang */
/** @typedef {{ 'zh-CN': string, en: string }} Term */

/** @type {Lang[]} */
export const LANGS = ['zh-CN', 'en'];

/** Lot stages, in chain order. */
export const stages = {
  seed: { 'zh-CN': '种子种苗', en: 'Seed' },
  cultivation: { 'zh-CN': '种植养殖', en: 'Cultivation' },
  harvest: { 'zh-CN': '采收', en: 'Harvest' },
  processed: { 'zh-CN': '产地加工', en: 'Origin processing' },
  decoction_piece: { 'zh-CN': '饮片炮制', en: 'Decoction pieces' },
  product: { 'zh-CN': '成品', en: 'Product' },
};

export const lotStatuses = {
  active: { 'zh-CN': '正常', en: 'Normal' },
  hold: { 'zh-CN': '暂停销售（调查中）', en: 'On hold (under investigation)' },
  recalled: { 'zh-CN': '已召回', en: 'Recalled' },
  destroyed: { 'zh-CN': '已销毁', en: 'Destroyed' },
};

/**
 * Parameters of processing steps (`process.steps[].params`). The server stores them as sent (free form, no
 * limits), so only `type` and `unit` are given; `choices` are suggestions a form offers. `unitOne` is the
 * English unit for exactly 1. `range`: a number or "a-b" text such as "1-2".
 */
export const params = {
  method: { 'zh-CN': '方法', en: 'Method', type: 'choice', choicesOf: 'methods' },
  temperatureC: { 'zh-CN': '温度', en: 'Temperature', type: 'number', unit: { 'zh-CN': '°C', en: '°C' } },
  hours: { 'zh-CN': '时长', en: 'Duration', type: 'number', unit: { 'zh-CN': '小时', en: 'h' } },
  minutes: { 'zh-CN': '时长', en: 'Duration', type: 'number', unit: { 'zh-CN': '分钟', en: 'min' } },
  days: { 'zh-CN': '天数', en: 'Days', type: 'number', unit: { 'zh-CN': '天', en: 'days' }, unitOne: { en: 'day' } },
  thicknessMm: { 'zh-CN': '厚度', en: 'Thickness', type: 'range', unit: { 'zh-CN': 'mm', en: 'mm' } },
  rounds: { 'zh-CN': '次数', en: 'Rounds', type: 'integer', unit: { 'zh-CN': '次', en: 'rounds' }, unitOne: { en: 'round' } },
  adjuvant: { 'zh-CN': '辅料', en: 'Adjuvant', type: 'choice', choicesOf: 'adjuvants' },
};

/** The order parameters are shown in (PostgreSQL's jsonb keeps its own key order, not the sender's). */
export const PARAM_ORDER = ['method', 'temperatureC', 'hours', 'minutes', 'days', 'thicknessMm', 'rounds', 'adjuvant'];

/** Choices of `params.method`, each with the operations it goes with. */
export const methods = {
  烘干: { 'zh-CN': '烘干', en: 'Oven-dried', ops: ['干燥'] },
  晒干: { 'zh-CN': '晒干', en: 'Sun-dried', ops: ['干燥'] },
  阴干: { 'zh-CN': '阴干', en: 'Shade-dried', ops: ['干燥'] },
  冷冻干燥: { 'zh-CN': '冷冻干燥', en: 'Freeze-dried', ops: ['干燥'] },
  刷洗: { 'zh-CN': '刷洗', en: 'Brush-washed', ops: ['洗', '清洗', '净制'] },
  水洗: { 'zh-CN': '水洗', en: 'Rinsed', ops: ['洗', '清洗', '净制'] },
  挑选: { 'zh-CN': '挑选', en: 'Hand-sorted', ops: ['净制'] },
  筛选: { 'zh-CN': '筛选', en: 'Sieved', ops: ['净制'] },
  风选: { 'zh-CN': '风选', en: 'Winnowed', ops: ['净制'] },
  清炒: { 'zh-CN': '清炒', en: 'Plain stir-fried', ops: ['炒'] },
  麸炒: { 'zh-CN': '麸炒', en: 'Stir-fried with bran', ops: ['炒'] },
  蜜炙: { 'zh-CN': '蜜炙', en: 'Honey-fried', ops: ['炙'] },
  酒炙: { 'zh-CN': '酒炙', en: 'Wine-fried', ops: ['炙'] },
  醋炙: { 'zh-CN': '醋炙', en: 'Vinegar-fried', ops: ['炙'] },
  盐炙: { 'zh-CN': '盐炙', en: 'Salt-water-fried', ops: ['炙'] },
  明煅: { 'zh-CN': '明煅', en: 'Open-calcined', ops: ['煅'] },
  清蒸: { 'zh-CN': '清蒸', en: 'Plain steamed', ops: ['蒸'] },
};

export const adjuvants = {
  蜂蜜: { 'zh-CN': '蜂蜜', en: 'honey' },
  黄酒: { 'zh-CN': '黄酒', en: 'rice wine' },
  米醋: { 'zh-CN': '米醋', en: 'rice vinegar' },
  盐水: { 'zh-CN': '盐水', en: 'salt water' },
  麦麸: { 'zh-CN': '麦麸', en: 'wheat bran' },
};

/**
 * Processing and 炮制 operations, keyed by the term stored in `process.steps[].op`: the name, how a done step
 * reads (`done`), the stages whose lots they make, and their parameters.
 */
export const operations = {
  净制: { 'zh-CN': '净制', en: 'Cleaning', done: { 'zh-CN': '净制', en: 'Cleaned' }, stages: ['processed', 'decoction_piece'], params: ['method'] },
  洗: { 'zh-CN': '洗', en: 'Washing', done: { 'zh-CN': '洗', en: 'Washed' }, stages: ['processed', 'decoction_piece'], params: ['method'] },
  清洗: { 'zh-CN': '清洗', en: 'Washing', done: { 'zh-CN': '清洗', en: 'Washed' }, stages: ['processed', 'decoction_piece'], params: ['method'] },
  润: { 'zh-CN': '润', en: 'Softening', done: { 'zh-CN': '润', en: 'Softened' }, stages: ['decoction_piece'], params: ['hours'] },
  切: { 'zh-CN': '切', en: 'Slicing', done: { 'zh-CN': '切', en: 'Sliced' }, stages: ['processed', 'decoction_piece'], params: ['thicknessMm'] },
  炒: { 'zh-CN': '炒', en: 'Stir-frying', done: { 'zh-CN': '炒', en: 'Stir-fried' }, stages: ['decoction_piece'], params: ['method', 'temperatureC', 'minutes'] },
  炙: { 'zh-CN': '炙', en: 'Frying with adjuvant', done: { 'zh-CN': '炙', en: 'Fried with adjuvant' }, stages: ['decoction_piece'], params: ['method', 'adjuvant', 'temperatureC', 'minutes'] },
  煅: { 'zh-CN': '煅', en: 'Calcining', done: { 'zh-CN': '煅', en: 'Calcined' }, stages: ['decoction_piece'], params: ['method', 'temperatureC', 'hours'] },
  蒸: { 'zh-CN': '蒸', en: 'Steaming', done: { 'zh-CN': '蒸', en: 'Steamed' }, stages: ['processed', 'decoction_piece'], params: ['method', 'temperatureC', 'hours'] },
  干燥: { 'zh-CN': '干燥', en: 'Drying', done: { 'zh-CN': '干燥', en: 'Dried' }, stages: ['processed', 'decoction_piece'], params: ['method', 'temperatureC', 'hours', 'days'] },
  晒干: { 'zh-CN': '晒干', en: 'Sun-drying', done: { 'zh-CN': '晒干', en: 'Sun-dried' }, stages: ['processed', 'decoction_piece'], params: ['days'] },
  烫: { 'zh-CN': '烫', en: 'Scalding', done: { 'zh-CN': '烫', en: 'Scalded' }, stages: ['processed'], params: ['rounds', 'temperatureC'] },
  粉碎: { 'zh-CN': '粉碎', en: 'Grinding', done: { 'zh-CN': '粉碎', en: 'Ground' }, stages: ['decoction_piece', 'product'], params: [] },
  灌装: { 'zh-CN': '灌装', en: 'Filling', done: { 'zh-CN': '灌装', en: 'Filled' }, stages: ['product'], params: [] },
  育苗: { 'zh-CN': '育苗', en: 'Raising seedlings', done: { 'zh-CN': '育苗', en: 'Seedlings raised' }, stages: ['seed', 'cultivation'], params: ['days'] },
};

/** Cultivation lots' `attributes.mode`: the only values the server accepts. */
export const cultivationModes = {
  生态种植: { 'zh-CN': '生态种植', en: 'Ecological planting' },
  仿生栽培: { 'zh-CN': '仿生栽培', en: 'Forest-grown (imitation wild)' },
  野生抚育: { 'zh-CN': '野生抚育', en: 'Tended in the wild' },
  人工养殖: { 'zh-CN': '人工养殖', en: 'Farmed' },
};

/** Harvest lots' `attributes.antlerGrade` for 鹿茸: suggestions (the server takes any text). */
export const antlerGrades = {
  二杠: { 'zh-CN': '二杠', en: 'Two-branch (erganging)' },
  三岔: { 'zh-CN': '三岔', en: 'Three-branch (sancha)' },
  四岔: { 'zh-CN': '四岔', en: 'Four-branch' },
  再生茸: { 'zh-CN': '再生茸', en: 'Regrown antler' },
  砍茸: { 'zh-CN': '砍茸', en: 'Cut with skull (kanrong)' },
};

/**
 * Each stage's known attributes, with the checks the server applies (lots.rules.ts STAGE_ATTRIBUTES): `min`
 * and `max` inclusive, `choicesOf` a closed list, `suggestionsOf` an open one. Other keys are stored as sent.
 */
export const attributes = {
  seed: {
    variety: { 'zh-CN': '品种', en: 'Variety', type: 'text' },
    germplasmOrigin: { 'zh-CN': '种源', en: 'Germplasm origin', type: 'text' },
    seedCertificate: { 'zh-CN': '种子合格证', en: 'Seed certificate', type: 'text' },
    germinationRatePct: { 'zh-CN': '发芽率', en: 'Germination rate', type: 'number', min: 0, max: 100, unit: { 'zh-CN': '%', en: '%' } },
    ageYears: { 'zh-CN': '苗龄', en: 'Age', type: 'integer', min: 0, max: 30, unit: { 'zh-CN': '年', en: 'years' } },
  },
  cultivation: {
    plot: { 'zh-CN': '地块', en: 'Plot', type: 'text' },
    beds: { 'zh-CN': '畦床', en: 'Beds', type: 'list' },
    mode: { 'zh-CN': '种养模式', en: 'Mode', type: 'choice', choicesOf: 'cultivationModes' },
    households: { 'zh-CN': '参与农户', en: 'Households', type: 'integer', min: 1, max: 100000, unit: { 'zh-CN': '户', en: 'households' } },
    sownAt: { 'zh-CN': '播种日期', en: 'Sown on', type: 'date' },
    transplantedAt: { 'zh-CN': '移栽日期', en: 'Transplanted on', type: 'date' },
  },
  harvest: {
    rootAgeYears: { 'zh-CN': '参龄', en: 'Root age', type: 'integer', min: 1, max: 100, unit: { 'zh-CN': '年', en: 'years' } },
    antlerGrade: { 'zh-CN': '茸型等级', en: 'Antler grade', type: 'text', suggestionsOf: 'antlerGrades' },
    deerId: { 'zh-CN': '鹿只编号', en: 'Deer id', type: 'text' },
  },
  processed: { form: { 'zh-CN': '加工品类', en: 'Form', type: 'text', examples: ['生晒参', '红参'] } },
  decoction_piece: {
    spec: { 'zh-CN': '规格', en: 'Specification', type: 'text', examples: ['人参片'] },
    executingStandard: { 'zh-CN': '执行标准', en: 'Executing standard', type: 'text' },
  },
  product: {
    name: { 'zh-CN': '产品名称', en: 'Product name', type: 'text' },
    category: { 'zh-CN': '类别', en: 'Category', type: 'text' },
    approvalNumber: { 'zh-CN': '批准文号', en: 'Approval number', type: 'text' },
    expiryDate: { 'zh-CN': '有效期至', en: 'Best before', type: 'date' },
  },
};

/** Text attributes: at most this many characters (lots.rules.ts). */
export const ATTRIBUTE_TEXT_MAX = 500;

/** Every kind of event the chain records (src/modules/epcis/epcis.vocabulary.ts EVENT_TYPES), as a timeline names it. */
export const eventTypes = {
  commissioned: { 'zh-CN': '登记批次', en: 'Lot registered' },
  transformation: { 'zh-CN': '加工转化', en: 'Transformation' },
  split: { 'zh-CN': '拆分', en: 'Split' },
  shipment_dispatched: { 'zh-CN': '发货', en: 'Shipped' },
  shipment_received: { 'zh-CN': '收货', en: 'Received' },
  shipment_refused: { 'zh-CN': '拒收', en: 'Refused' },
  status_changed: { 'zh-CN': '状态变更', en: 'Status changed' },
  agro_input: { 'zh-CN': '农资投入', en: 'Agricultural input' },
  inspection: { 'zh-CN': '巡查检查', en: 'Inspection' },
  sensor: { 'zh-CN': '环境监测', en: 'Sensor reading' },
  note: { 'zh-CN': '备注', en: 'Note' },
  lab_granted: { 'zh-CN': '委托检验', en: 'Lab authorised' },
  lab_result: { 'zh-CN': '检验报告', en: 'Lab report' },
  certificate_recorded: { 'zh-CN': '登记证书', en: 'Certificate recorded' },
  certificate_confirmed: { 'zh-CN': '证书确认', en: 'Certificate confirmed' },
  gi_claimed: { 'zh-CN': '地理标志声明', en: 'Geographical indication claimed' },
  codes_issued: { 'zh-CN': '生成二维码', en: 'Codes issued' },
  code_voided: { 'zh-CN': '作废二维码', en: 'Code voided' },
};

export const observationKinds = {
  agro_input: { 'zh-CN': '农资投入', en: 'Agricultural input' },
  inspection: { 'zh-CN': '巡查检查', en: 'Inspection' },
  sensor: { 'zh-CN': '环境监测', en: 'Sensor reading' },
  note: { 'zh-CN': '备注', en: 'Note' },
};

/** The fields of each observation kind, with the server's limits (lots.schemas.ts). */
export const observationFields = {
  agro_input: {
    category: { 'zh-CN': '类别', en: 'Category', type: 'choice', choicesOf: 'agroInputCategories' },
    product: { 'zh-CN': '产品名称', en: 'Product', type: 'text', maxLength: 200 },
    registrationNumber: { 'zh-CN': '登记证号', en: 'Registration number', type: 'text', maxLength: 64 },
    dose: { 'zh-CN': '用量', en: 'Dose', type: 'number', exclusiveMin: 0, exclusiveMax: 10000000, maxDecimals: 6, unitSuggestions: ['kg/亩', 'g/亩', 'mL/亩', 'L/亩'] },
    area: { 'zh-CN': '施用范围', en: 'Area treated', type: 'text', maxLength: 200 },
    preHarvestIntervalDays: { 'zh-CN': '安全间隔期', en: 'Pre-harvest interval', type: 'integer', min: 0, max: 3650, unit: { 'zh-CN': '天', en: 'days' } },
    operator: { 'zh-CN': '操作人', en: 'Operator', type: 'text', maxLength: 100 },
  },
  inspection: {
    inspector: { 'zh-CN': '检查人', en: 'Inspector', type: 'text', maxLength: 200 },
    result: { 'zh-CN': '结果', en: 'Result', type: 'choice', choicesOf: 'inspectionResults' },
    findings: { 'zh-CN': '发现', en: 'Findings', type: 'text', maxLength: 4000 },
  },
  sensor: {
    temperatureC: { 'zh-CN': '温度', en: 'Temperature', type: 'number', min: -80, max: 150, unit: { 'zh-CN': '°C', en: '°C' } },
    humidityPct: { 'zh-CN': '湿度', en: 'Humidity', type: 'number', min: 0, max: 100, unit: { 'zh-CN': '%', en: '%' } },
    deviceId: { 'zh-CN': '设备编号', en: 'Device id', type: 'text', maxLength: 100 },
  },
  note: { text: { 'zh-CN': '内容', en: 'Text', type: 'text', maxLength: 4000 } },
};

export const agroInputCategories = {
  fertilizer: { 'zh-CN': '肥料', en: 'Fertiliser' },
  pesticide: { 'zh-CN': '农药', en: 'Pesticide' },
  herbicide: { 'zh-CN': '除草剂', en: 'Herbicide' },
  fungicide: { 'zh-CN': '杀菌剂', en: 'Fungicide' },
  growth_regulator: { 'zh-CN': '植物生长调节剂', en: 'Growth regulator' },
  feed: { 'zh-CN': '饲料', en: 'Feed' },
  veterinary_drug: { 'zh-CN': '兽药', en: 'Veterinary drug' },
  other: { 'zh-CN': '其他', en: 'Other' },
};

export const inspectionResults = {
  pass: { 'zh-CN': '合格', en: 'Pass' },
  fail: { 'zh-CN': '不合格', en: 'Fail' },
  observation: { 'zh-CN': '观察记录', en: 'Observation' },
};

export const siteKinds = {
  seed_nursery: { 'zh-CN': '良种繁育基地', en: 'Seed nursery' },
  cultivation_base: { 'zh-CN': '种植基地', en: 'Cultivation base' },
  forest_plot: { 'zh-CN': '林下种植地块', en: 'Forest plot' },
  animal_farm: { 'zh-CN': '养殖场', en: 'Animal farm' },
  processing_plant: { 'zh-CN': '加工厂', en: 'Processing plant' },
  warehouse: { 'zh-CN': '仓库', en: 'Warehouse' },
  market: { 'zh-CN': '市场', en: 'Market' },
  lab: { 'zh-CN': '检测实验室', en: 'Laboratory' },
};

export const organizationKinds = {
  seed_producer: { 'zh-CN': '种子种苗企业', en: 'Seed producer' },
  cooperative: { 'zh-CN': '专业合作社', en: 'Cooperative' },
  gap_base: { 'zh-CN': 'GAP 基地', en: 'GAP base' },
  farm: { 'zh-CN': '农场 / 养殖场', en: 'Farm' },
  processor: { 'zh-CN': '产地加工企业', en: 'Processor' },
  decoction_piece_maker: { 'zh-CN': '饮片生产企业', en: 'Decoction-piece maker' },
  manufacturer: { 'zh-CN': '生产企业', en: 'Manufacturer' },
  trader: { 'zh-CN': '经销商', en: 'Trader' },
  logistics: { 'zh-CN': '物流企业', en: 'Logistics' },
  retailer: { 'zh-CN': '零售药店', en: 'Retailer' },
  lab: { 'zh-CN': '检测机构', en: 'Testing lab' },
  regulator: { 'zh-CN': '监管部门', en: 'Regulator' },
  certifier: { 'zh-CN': '认证机构', en: 'Certification body' },
};

/**
 * Quantity units the API accepts (lib/quantity.ts): mass units convert to each other; counts are whole.
 * Every quantity is exact to 0.001 of its unit.
 */
export const units = {
  g: { 'zh-CN': '克', en: 'g', kind: 'mass', grams: 1 },
  kg: { 'zh-CN': '千克', en: 'kg', kind: 'mass', grams: 1000 },
  t: { 'zh-CN': '吨', en: 't', kind: 'mass', grams: 1000000 },
  plant: { 'zh-CN': '株', en: 'plants', kind: 'count' },
  piece: { 'zh-CN': '件', en: 'pieces', kind: 'count' },
  head: { 'zh-CN': '头', en: 'head', kind: 'count' },
  box: { 'zh-CN': '盒', en: 'boxes', kind: 'count' },
};

/** How many decimals a quantity may have (lib/quantity.ts): 3 for mass, whole counts. */
export const QUANTITY_DECIMALS = { mass: 3, count: 0 };

/** A site's area is in 亩 (mu; 1 亩 ≈ 666.7 m²), above 0, at most 3 decimals (sites.schemas.ts). */
export const areaUnit = { 'zh-CN': '亩', en: 'mu', exclusiveMin: 0, max: 1000000000 };

export const memberRoles = {
  owner: { 'zh-CN': '负责人', en: 'Owner' },
  recorder: { 'zh-CN': '记录员', en: 'Recorder' },
  viewer: { 'zh-CN': '查看者', en: 'Viewer' },
};

export const certificateKinds = {
  gap: { 'zh-CN': 'GAP 基地认证', en: 'GAP base certificate' },
  organic: { 'zh-CN': '有机认证', en: 'Organic certificate' },
  gi_use: { 'zh-CN': '地理标志使用授权', en: 'Geographical indication licence' },
  other: { 'zh-CN': '其他证书', en: 'Other certificate' },
};

export const speciesKinds = {
  plant: { 'zh-CN': '植物', en: 'Plant' },
  animal: { 'zh-CN': '动物', en: 'Animal' },
  fungus: { 'zh-CN': '真菌', en: 'Fungus' },
};

/** A lab report's verdict. */
export const labVerdicts = {
  pass: { 'zh-CN': '合格', en: 'Passed' },
  fail: { 'zh-CN': '不合格', en: 'Failed' },
  incomplete: { 'zh-CN': '项目不全', en: 'Incomplete' },
};

/** One result's verdict against its pharmacopoeia limit. */
export const itemVerdicts = {
  pass: { 'zh-CN': '合格', en: 'Pass' },
  fail: { 'zh-CN': '不合格', en: 'Fail' },
  no_limit: { 'zh-CN': '无限度要求', en: 'No limit' },
  undetermined: { 'zh-CN': '无法判定（缺少水分结果）', en: 'Undetermined (no moisture result to convert with)' },
};

export const resultBases = {
  as_is: { 'zh-CN': '按原样计', en: 'As is' },
  dried: { 'zh-CN': '按干燥品计', en: 'Dried basis' },
};

/**
 * Every business rule the server can refuse a request for (422, `rule` in the answer), explained for a
 * cooperative member on a phone: what happened and what to do. tests/unit/vocabulary.test.ts fails when the
 * server has a rule (src/lib/rules.ts) without an explanation here.
 */
export const rules = {
  'blocked-lot': { 'zh-CN': '这个批次已被暂停、召回或销毁，不能再使用。请先联系负责人解除暂停。', en: 'This lot is on hold, recalled or destroyed and cannot be used. Ask the owner to release it first.' },
  'certificate-already-confirmed': { 'zh-CN': '这份证书已经确认过了，无需再次确认。', en: 'This certificate has already been confirmed.' },
  'certificate-validity': { 'zh-CN': '证书的到期日不能早于生效日，请检查两个日期。', en: 'A certificate cannot expire before it starts. Check the two dates.' },
  chronology: { 'zh-CN': '日期顺序不对：不能在批次产生之前使用它，检验也不能早于取样。请检查日期。', en: 'The dates are out of order: a lot cannot be used before it was made, and a test cannot come before its sample. Check the dates.' },
  'code-voided': { 'zh-CN': '这个码已经作废了。', en: 'This code has already been voided.' },
  custody: { 'zh-CN': '这个批次现在不在您单位手里（已发给别人或属于别的单位），只有持有方才能操作。', en: 'Your organisation does not hold this lot now (it was shipped or belongs to someone else). Only the holder can do this.' },
  'device-session-not-allowed': { 'zh-CN': '您的单位不允许在设备上保持登录，请每次登录。', en: 'Your organisation does not allow staying signed in on a device. Sign in each time.' },
  'first-member-is-owner': { 'zh-CN': '单位的第一个成员必须是负责人。', en: "An organisation's first member must be its owner." },
  'gi-authorisation': { 'zh-CN': '生产单位没有有效的地理标志使用授权，不能标注这个地理标志。请先登记授权证书。', en: 'The producer holds no valid licence for this geographical indication. Record the licence first.' },
  'gi-region': { 'zh-CN': '这个批次的产地不在该地理标志的保护范围内，不能标注。', en: 'This lot does not come from the protected area of this geographical indication.' },
  'gi-species': { 'zh-CN': '这个地理标志不是这种药材的，不能标注。', en: 'This geographical indication is for another herb.' },
  'graph-too-large': { 'zh-CN': '这个批次的上下游链条太长，无法一次显示。请从链条中更靠近的批次查看。', en: 'The chain of this lot is too large to show at once. Look at a lot closer along the chain.' },
  'gs1-lot-number': { 'zh-CN': '这个批号不能用在 GS1 条码里（只能用字母、数字和少数符号，最多 20 位）。请换一个批号。', en: 'This lot number cannot go into a GS1 code (letters, digits and a few signs, at most 20). Use another lot number.' },
  'gtin-product-only': { 'zh-CN': '只有成品批次才能填写商品条码（GTIN）。', en: 'Only product lots carry a GTIN.' },
  'idempotency-key-reused': { 'zh-CN': '这次提交和之前的一次用了同一个编号但内容不同。请重新提交。', en: 'This submission reused the number of an earlier, different one. Submit it again.' },
  'in-transit': { 'zh-CN': '这个批次正在运输中，收货或拒收之前不能使用。', en: 'This lot is in transit. Nobody can use it until it is received or refused.' },
  'insufficient-quantity': { 'zh-CN': '批次剩余数量不够：用量不能超过剩下的数量。请检查数量或换一个批次。', en: 'Not enough left in the lot: you cannot use more than remains. Check the quantity or pick another lot.' },
  'last-owner': { 'zh-CN': '他是单位唯一的负责人，不能停用或降级。请先指定另一位负责人。', en: "This is the organisation's only owner. Make someone else owner first." },
  'mass-balance': { 'zh-CN': '产出的总重量超过了投入的重量，请检查数量。', en: 'The outputs weigh more than the inputs used. Check the quantities.' },
  'member-deactivated': { 'zh-CN': '这个成员已被停用，不能再做这个操作。', en: 'This member is deactivated; this cannot be done for them.' },
  'no-enrolment': { 'zh-CN': '请先开始设置两步验证，再输入验证码。', en: 'Start setting up two-step sign-in first, then enter the code.' },
  'no-material-from-nowhere': { 'zh-CN': '除了种子种苗，新批次必须来自已有批次（加工、采收等），或注明是从外部购入的。', en: 'Apart from seed, a new lot comes from existing lots (harvest, processing …) or is marked as bought from outside.' },
  'not-a-lab': { 'zh-CN': '只有检测机构才能提交检验报告。', en: 'Only a testing lab can submit lab reports.' },
  'password-policy': { 'zh-CN': '密码太简单或太常见，请换一个更长、更难猜的密码。', en: 'The password is too weak or too common. Choose a longer one that is harder to guess.' },
  'quantity-precision': { 'zh-CN': '数量换算后不精确（最多 3 位小数），请换个单位填写。', en: 'The quantity is not exact in that unit (3 decimals at most). Enter it in the other unit.' },
  'reset-self': { 'zh-CN': '负责人不能重置自己的账号，请另一位负责人或管理员操作。', en: 'An owner cannot reset their own account. Ask another owner or the administrator.' },
  'ship-to-self': { 'zh-CN': '不能发货给自己的单位，请选择收货单位。', en: 'A shipment goes to another organisation. Pick the receiver.' },
  'shipment-closed': { 'zh-CN': '这批货已经收货或拒收，不能再改。', en: 'This shipment was already received or refused.' },
  'site-ownership': { 'zh-CN': '这个基地或场所不是您单位的，请选择自己的基地。', en: 'This site is not one of your organisation’s. Pick one of yours.' },
  'species-mismatch': { 'zh-CN': '产出批次的药材品种必须与投入的一致。', en: 'An output must be the same herb as its inputs.' },
  'stage-order': { 'zh-CN': '环节顺序不对：只能往下一个环节走（如种植 → 采收 → 加工）。', en: 'Stages only move forward (cultivation → harvest → processing …).' },
  'status-transition': { 'zh-CN': '批次不能从当前状态改成这个状态（例如已销毁的批次不能恢复）。', en: 'The lot cannot change from its current status to this one (a destroyed lot stays destroyed).' },
  'totp-code-wrong': { 'zh-CN': '验证码不对，请查看手机上的验证器应用，输入最新的 6 位数字。', en: 'The code does not match. Check the authenticator app on your phone and enter the current 6 digits.' },
  'transformation-too-large': { 'zh-CN': '一次记录的投入和产出太多，请分成先合并、再分装两步记录。', en: 'Too many inputs and outputs in one record. Record a merge first, then a split.' },
  'unit-codes-product-only': { 'zh-CN': '只有成品批次才能生成单品码；其他批次请生成批次码。', en: 'Unit codes are only for product lots; other lots get a lot code.' },
  'unit-mismatch': { 'zh-CN': '单位不一致：重量单位（克、千克、吨）之间可以换算，株、盒等计数单位不能换算。请使用批次的单位。', en: 'Units do not match: only mass units (g, kg, t) convert; counts (plants, boxes …) do not. Use the lot’s unit.' },
};

/** Problems other than business rules, by the slug of their type (`/problems/<slug>`). */
export const problems = {
  'validation-error': { 'zh-CN': '有内容填写不正确，请检查标出的项目。', en: 'Something was not filled in correctly. Check the marked fields.' },
  'bad-request': { 'zh-CN': '这个请求无法处理，请更新应用后再试。', en: 'This request cannot be handled. Update the app and try again.' },
  'malformed-json': { 'zh-CN': '提交的数据无法读取，请重新提交。', en: 'The submission could not be read. Send it again.' },
  'body-too-large': { 'zh-CN': '提交的内容太大，请减少内容后再试。', en: 'The submission is too large. Shorten it and try again.' },
  'unsupported-media-type': { 'zh-CN': '提交的数据格式不对，请更新应用后再试。', en: 'The submission has the wrong format. Update the app and try again.' },
  'bad-content-length': { 'zh-CN': '提交的数据不完整，请重新提交。', en: 'The submission arrived incomplete. Send it again.' },
  'uri-too-long': { 'zh-CN': '请求的地址太长。', en: 'The address asked for is too long.' },
  unauthorized: { 'zh-CN': '您还没有登录或登录已过期，请重新登录。', en: 'You are not signed in, or your sign-in has expired. Sign in again.' },
  forbidden: { 'zh-CN': '您的账号没有权限做这件事，请联系单位负责人。', en: 'Your account may not do this. Ask your organisation’s owner.' },
  'not-found': { 'zh-CN': '找不到这条记录：它可能不存在，或您无权查看。', en: 'This record was not found: it may not exist, or you may not see it.' },
  conflict: { 'zh-CN': '这条记录已经存在或已被别人改动（例如批号重复），请检查后再试。', en: 'This already exists or was changed meanwhile (a lot number used twice, for example). Check and try again.' },
  'too-many-requests': { 'zh-CN': '尝试次数太多，请稍等一会儿再试。', en: 'Too many attempts. Wait a moment and try again.' },
  'rate-limited': { 'zh-CN': '请求太频繁，请稍等一会儿再试。', en: 'Too many requests. Wait a moment and try again.' },
  'internal-error': { 'zh-CN': '服务器出了问题，您的数据没有丢失，请稍后再试。', en: 'Something went wrong on the server. Nothing you entered is lost; try again later.' },
  'not-ready': { 'zh-CN': '服务暂时不可用，请稍后再试。', en: 'The service is not available right now. Try again later.' },
  'rule-violated': { 'zh-CN': '这个操作不符合业务规则，未被保存。', en: 'This breaks one of the rules of the chain and was not saved.' },
  unknown: { 'zh-CN': '出了点问题，未被保存。请稍后再试。', en: 'Something went wrong and nothing was saved. Try again later.' },
};

/** Every group, for `label(group, key, lang)` and the JSON route. */
export const groups = {
  stages,
  eventTypes,
  lotStatuses,
  params,
  methods,
  adjuvants,
  operations,
  cultivationModes,
  antlerGrades,
  observationKinds,
  agroInputCategories,
  inspectionResults,
  siteKinds,
  organizationKinds,
  units,
  memberRoles,
  certificateKinds,
  speciesKinds,
  labVerdicts,
  itemVerdicts,
  resultBases,
  rules,
  problems,
};

/**
 * A language tag (`navigator.language`, `?lang=`, Accept-Language's first choice) to a page language: English
 * when it says English, Chinese otherwise.
 * @param {unknown} tag
 * @returns {Lang}
 */
export function pickLang(tag) {
  return typeof tag === 'string' && /^en\b/i.test(tag.trim()) ? 'en' : 'zh-CN';
}

const own = (object, key) => object !== null && typeof object === 'object' && Object.prototype.hasOwnProperty.call(object, key);

/**
 * The term of `key` in `group` in `lang`; the key itself when there is none (never throws).
 * @param {string} group
 * @param {unknown} key
 * @param {Lang} lang
 * @returns {string}
 */
export function label(group, key, lang) {
  const term = own(groups, group) && own(groups[group], key) ? groups[group][key] : undefined;
  const text = term && term[lang === 'en' ? 'en' : 'zh-CN'];
  return typeof text === 'string' ? text : String(key ?? '');
}

/** A parameter's value as text: numbers as they are, "1-2" as "1–2", anything else as JSON. */
function valueText(value) {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return value.replace(/^\s*(\d+(?:\.\d+)?)\s*[-~～–]\s*(\d+(?:\.\d+)?)\s*$/, '$1–$2');
  return JSON.stringify(value) ?? String(value);
}

function paramText(key, value, lang) {
  const spec = own(params, key) ? params[key] : undefined;
  if (!spec) return `${key} ${valueText(value)}`;
  if (spec.type === 'choice') {
    const choices = groups[spec.choicesOf];
    const choice = typeof value === 'string' && own(choices, value) ? choices[value][lang] : valueText(value);
    return `${spec[lang]} ${choice}`;
  }
  const unit = spec.unit ? (value === 1 && spec.unitOne && spec.unitOne[lang]) || spec.unit[lang] : '';
  return unit ? `${valueText(value)} ${unit}` : `${spec[lang]} ${valueText(value)}`;
}

/**
 * One processing step in words: `{op: '干燥', params: {method: '烘干', temperatureC: 45, hours: 72}}` →
 * `烘干 45 °C · 72 小时` / `Oven-dried 45 °C · 72 h`. A known method names the step; known parameters follow in
 * PARAM_ORDER, unknown ones as `key value` after them. Plain text: the caller escapes it for HTML.
 * @param {{ op?: unknown, params?: unknown }} step
 * @param {Lang} lang
 * @returns {string}
 */
export function formatStep(step, lang) {
  const l = lang === 'en' ? 'en' : 'zh-CN';
  const op = step && typeof step === 'object' ? step.op : undefined;
  const given = step && typeof step === 'object' && step.params && typeof step.params === 'object' && !Array.isArray(step.params) ? step.params : {};
  const operation = typeof op === 'string' && own(operations, op) ? operations[op] : undefined;
  let head = operation ? operation.done[l] : String(op ?? '');
  const keys = Object.keys(given).filter((k) => given[k] !== undefined && given[k] !== null && given[k] !== '');
  const rest = [];
  const method = given.method;
  if (keys.includes('method')) {
    if (typeof method === 'string' && own(methods, method)) head = methods[method][l];
    else rest.push(`${label('params', 'method', l)} ${valueText(method)}`);
  }
  const known = PARAM_ORDER.filter((k) => k !== 'method' && keys.includes(k));
  const unknown = keys.filter((k) => !PARAM_ORDER.includes(k));
  for (const k of [...known, ...unknown]) rest.push(paramText(k, given[k], l));
  return rest.length ? `${head} ${rest.join(' · ')}` : head;
}

/**
 * The botanical or zoological name without its authority: "Panax ginseng C. A. Mey." → "Panax ginseng",
 * "Asarum heterotropoides Fr. Schmidt var. mandshuricum (Maxim.) Kitag." → "Asarum heterotropoides var.
 * mandshuricum".
 * @param {unknown} latin
 * @returns {string}
 */
export function scientificName(latin) {
  if (typeof latin !== 'string') return '';
  const words = latin.trim().split(/\s+/);
  if (!words[0]) return '';
  let name = words[0];
  if (words[1] && /^[a-z][a-z-]+$/.test(words[1])) name += ` ${words[1]}`;
  const rank = words.findIndex((w, i) => i > 1 && (w === 'var.' || w === 'subsp.' || w === 'f.'));
  if (rank > 0 && words[rank + 1] && /^[a-z][a-z-]+$/.test(words[rank + 1])) name += ` ${words[rank]} ${words[rank + 1]}`;
  return name;
}

/**
 * A herb's name: `人参` in Chinese, `Ginseng (Panax ginseng)` in English. The Latin part is `scientificName`
 * when given, else that of the first source species (the catalogue's `sourceSpecies`), else `latinName` (the
 * catalogue's is the drug's pharmacopoeia name, "Ginseng Radix et Rhizoma").
 * @param {{ nameZh?: string, nameEn?: string, latinName?: string, scientificName?: string, sourceSpecies?: { latinName?: string }[] }} species
 * @param {Lang} lang
 * @returns {string}
 */
export function speciesName(species, lang) {
  if (!species || typeof species !== 'object') return '';
  const zh = typeof species.nameZh === 'string' ? species.nameZh : '';
  if (lang !== 'en') return zh || String(species.nameEn ?? '');
  const en = typeof species.nameEn === 'string' && species.nameEn ? species.nameEn : zh;
  const source = Array.isArray(species.sourceSpecies) && species.sourceSpecies[0] ? scientificName(species.sourceSpecies[0].latinName) : '';
  const latin = (typeof species.scientificName === 'string' && species.scientificName) || source || (typeof species.latinName === 'string' ? species.latinName : '');
  return latin && latin !== en ? `${en} (${latin})` : en;
}

/**
 * What a problem+json answer means, in one sentence for the person who made the request: the rule's
 * explanation (`rule`, or a type `/problems/rule/<rule>`), else the problem's (`/problems/<slug>`), else the
 * answer's own `detail`, else a general sentence.
 * @param {unknown} problem
 * @param {Lang} lang
 * @returns {string}
 */
export function explainProblem(problem, lang) {
  const l = lang === 'en' ? 'en' : 'zh-CN';
  const p = problem && typeof problem === 'object' ? problem : {};
  const type = typeof p.type === 'string' ? p.type : '';
  const ruleMatch = /\/problems\/rule\/([^/?#]+)$/.exec(type);
  const rule = typeof p.rule === 'string' && p.rule ? p.rule : ruleMatch ? ruleMatch[1] : undefined;
  if (rule !== undefined && own(rules, rule)) return rules[rule][l];
  const slugMatch = /\/problems\/([^?#]+)$/.exec(type);
  const slug = slugMatch ? slugMatch[1] : undefined;
  if (slug !== undefined && own(problems, slug)) return problems[slug][l];
  if (typeof p.detail === 'string' && p.detail) return p.detail;
  if (rule !== undefined || p.status === 422) return problems['rule-violated'][l];
  return problems.unknown[l];
}

/** The static vocabulary as one object (GET /v1/vocabulary adds the reference data from the database). */
export const vocabulary = {
  langs: LANGS,
  ...groups,
  attributes,
  observationFields,
  paramOrder: PARAM_ORDER,
  quantityDecimals: QUANTITY_DECIMALS,
  areaUnit,
  attributeTextMax: ATTRIBUTE_TEXT_MAX,
};
