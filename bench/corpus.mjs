// Realistic-looking text for the benchmarks, in the languages our customers write in (en, zh, ms,
// it), built once into small pools that the input generators pick from. Deterministic: the same
// seed gives the same data on every run.

/** A fast seeded PRNG (mulberry32): returns floats in [0, 1). */
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A table of 1,000 slots filled in proportion to `weights` (`{ value: weight }` or `[value, weight][]`),
 * so a weighted pick is one multiplication and one array read: `table[(rand() * 1000) | 0]`.
 */
export function weighted(weights) {
  const entries = Array.isArray(weights) ? weights : Object.entries(weights);
  const total = entries.reduce((s, [, w]) => s + w, 0);
  const table = [];
  for (const [value, w] of entries) for (let i = 0; i < Math.round((w / total) * 1000); i++) table.push(value);
  while (table.length < 1000) table.push(entries[0][0]);
  return table.slice(0, 1000);
}

export const pick = (rand, items) => items[(rand() * items.length) | 0];

/** The languages of customers and of what staff write about them, with their share. */
export const LANGUAGES = weighted({ en: 40, zh: 25, ms: 15, it: 20 });

export const LOCALE = { en: 'en-GB', zh: 'zh-TW', ms: 'ms-MY', it: 'it-IT' };
export const TIME_ZONES = { en: ['Europe/London', 'America/New_York'], zh: ['Asia/Taipei', 'Asia/Shanghai'], ms: ['Asia/Kuala_Lumpur'], it: ['Europe/Rome'] };
export const EMAIL_DOMAINS = { en: ['example.com', 'example.co.uk'], zh: ['example.tw', 'example.cn'], ms: ['example.my'], it: ['example.it'] };

const FIRST = {
  en: ['Sam', 'Olivia', 'James', 'Amelia', 'Harry', 'Isla', 'Jack', 'Emily', 'Noah', 'Grace', 'Oscar', 'Ruby'],
  zh: ['美', '大文', '志明', '淑芬', '家豪', '雅婷', '俊傑', '怡君', '建國', '麗華', '偉', '芳'],
  ms: ['Siti', 'Ahmad', 'Nurul', 'Muhammad', 'Aisyah', 'Hafiz', 'Farah', 'Azman', 'Zarina', 'Iskandar'],
  it: ['Giulia', 'Marco', 'Francesca', 'Luca', 'Chiara', 'Alessandro', 'Sofia', 'Matteo', 'Elena', 'Davide'],
};
const LAST = {
  en: ['Lee', 'Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Evans', 'Thomas', 'Walker'],
  zh: ['林', '陳', '黃', '張', '李', '王', '吳', '劉', '蔡', '楊'],
  ms: ['binti Ahmad', 'bin Ismail', 'binti Hassan', 'bin Abdullah', 'binti Yusof', 'bin Rahman', 'binti Omar'],
  it: ['Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo', 'Ricci', 'Marino', 'Greco'],
};
const ASCII_FIRST = { zh: ['mei', 'tai-man', 'chi-ming', 'shu-fen', 'chia-hao', 'ya-ting', 'chun-chieh', 'yi-chun', 'chien-kuo', 'li-hua', 'wei', 'fang'] };

/** A person's name in `lang`, and a plausible ASCII local part for their email address. */
export function personName(rand, lang) {
  const f = (rand() * FIRST[lang].length) | 0;
  const last = pick(rand, LAST[lang]);
  const first = FIRST[lang][f];
  if (lang === 'zh') return { name: last + first, local: ASCII_FIRST.zh[f] };
  return { name: `${first} ${last}`, local: `${first}.${last.split(' ').pop()}`.toLowerCase() };
}

export const COMPANIES = ['Acme Ltd', 'Northwind Traders', '台灣精密股份有限公司', '上海百货有限公司', 'Syarikat Maju Jaya Sdn Bhd', 'Kedai Runcit Aminah', 'Ferramenta Rossi S.r.l.', 'Trattoria Da Luca', 'Globex Corporation', 'Initech'];
export const TAGS = ['vip', 'b2b', 'newsletter', 'late-payer', 'wholesale', 'prefers-phone', 'prefers-email', 'churn-risk', 'referral', 'trade-show-2024'];
export const DEPARTMENTS = ['support', 'billing', 'sales', 'logistics', 'returns'];
export const ROLES = { en: ['buyer', 'office manager', 'owner', 'accountant'], zh: ['採購', '經理', '會計', '老闆'], ms: ['pembeli', 'pengurus', 'pemilik', 'akauntan'], it: ['responsabile acquisti', 'titolare', 'contabile', 'segretaria'] };

// Summaries: an opening, what it was about, and what happens next, so that 1,000 of them differ.
const OPENINGS = {
  en: ['Customer called about', 'Asked for an update on', 'Emailed to complain about', 'Confirmed by phone', 'Requested a refund for', 'Wanted to change', 'Chatted with us about', 'Visited the shop about'],
  zh: ['客戶來電詢問', '客戶要求更新', '客戶來信投訴', '電話確認', '客戶要求退款：', '客戶想更改', '客户在线咨询', '客户到店询问'],
  ms: ['Pelanggan menelefon tentang', 'Meminta maklumat terkini mengenai', 'Menghantar e-mel untuk mengadu tentang', 'Mengesahkan melalui telefon', 'Meminta bayaran balik untuk', 'Mahu menukar', 'Berbual dengan kami tentang'],
  it: ['Chiamata del cliente:', 'Chiede aggiornamenti:', 'Reclamo via e-mail:', 'Confermato al telefono:', 'Richiesta di rimborso:', 'Richiesta di modifica:', 'Domanda in chat:', 'Visita in negozio:'],
};
const TOPICS = {
  en: ['the late delivery of order #{n}', 'invoice {n}', 'the warranty on the washing machine', 'their billing address', 'the renewal of the annual plan', 'a damaged parcel (order #{n})', 'the discount promised last month', 'the missing item in order #{n}'],
  zh: ['訂單{n}的配送進度', '發票{n}', '洗衣機的保固', '帳單地址', '年度方案續約', '包裹破損（訂單{n}）', '上個月承諾的折扣', '订单{n}缺少的商品'],
  ms: ['penghantaran lewat pesanan #{n}', 'invois {n}', 'waranti mesin basuh', 'alamat bil mereka', 'pembaharuan pelan tahunan', 'bungkusan rosak (pesanan #{n})', 'diskaun yang dijanjikan bulan lepas'],
  it: ['ordine n. {n} in ritardo', 'fattura {n}', 'garanzia della lavatrice', 'indirizzo di fatturazione', 'rinnovo del piano annuale', 'pacco danneggiato (ordine {n})', 'sconto promesso il mese scorso', "articolo mancante nell'ordine {n}"],
};
const NEXT = {
  en: ['Promised a call back tomorrow.', 'Sent the tracking link.', 'Escalated to billing.', 'Resolved on the call.', 'Waiting for photos from the customer.', 'Credit note issued.', 'Customer satisfied, no further action.', 'Replacement shipped today.'],
  zh: ['答應明天回電。', '已寄出追蹤連結。', '已轉交帳務部門。', '通話中已解決。', '等待客戶提供照片。', '已開立折讓單。', '客户满意，无需后续处理。', '今天已寄出替换品。'],
  ms: ['Berjanji untuk menelefon semula esok.', 'Pautan penjejakan telah dihantar.', 'Dinaikkan kepada bahagian bil.', 'Selesai semasa panggilan.', 'Menunggu gambar daripada pelanggan.', 'Nota kredit dikeluarkan.', 'Barang ganti dihantar hari ini.'],
  it: ['Richiamo domani mattina.', 'Inviato il link di tracciamento.', "Passato all'amministrazione.", 'Risolto durante la chiamata.', 'In attesa delle foto del cliente.', 'Emessa nota di credito.', 'Cliente soddisfatto, nessuna azione.', 'Sostituzione spedita oggi.'],
};
/** Longer middle sentences, so summaries of one language don't all read alike. */
const DETAILS = {
  en: ['The courier left a card but nobody was home.', 'Customer says the box was visibly crushed.', 'They were charged twice for the same month.', 'Needs it before the end of the week for an event.', 'Has been a customer since 2015 and is unhappy.', 'Spoke to the office manager, not the owner.'],
  zh: ['客戶表示外箱有明顯撞擊痕跡，內容物部分損壞。', '已向物流公司查詢，預計三個工作天內回覆。', '客户希望下次送货前先电话联系。', '同一個月被重複扣款兩次。', '客戶週末前需要收到貨品。', '客户是十年的老客户，对这次服务很不满意。'],
  ms: ['Kurier meninggalkan kad tetapi tiada orang di rumah.', 'Pelanggan berkata kotak itu kemek teruk.', 'Dicaj dua kali untuk bulan yang sama.', 'Perlukan barang sebelum hujung minggu.', 'Bercakap dengan pengurus pejabat, bukan pemilik.'],
  it: ['Il corriere ha lasciato un avviso ma non c\'era nessuno.', 'Il cliente dice che la scatola era schiacciata.', 'Addebitato due volte per lo stesso mese.', 'Serve entro fine settimana per un evento.', 'Cliente dal 2015, molto scontento.', 'Parlato con la segretaria, non con il titolare.'],
};
const SUBJECT_PREFIX = { en: 'Re: ', zh: '回覆：', ms: 'Balas: ', it: 'R: ' };

/** `count` summaries of 40–120 characters, in the languages' shares. */
export function summaryPool(rand, count = 1000) {
  const pool = [];
  for (let i = 0; i < count; i++) {
    const lang = pick(rand, LANGUAGES);
    const sep = lang === 'zh' ? '' : ' ';
    const n = String(10000 + ((rand() * 90000) | 0));
    const topic = pick(rand, TOPICS[lang]).replace('{n}', n);
    const parts = [`${pick(rand, OPENINGS[lang])}${sep}${topic}${lang === 'zh' ? '。' : '.'}`];
    if (rand() < 0.5) parts.push(pick(rand, DETAILS[lang]));
    parts.push(pick(rand, NEXT[lang]));
    // Chinese says in 20 characters what takes 60 in English: add sentences until it reaches 40.
    const extra = [...DETAILS[lang], ...NEXT[lang]].filter((x) => !parts.includes(x));
    while (parts.join(sep).length < 40) parts.splice(parts.length - 1, 0, extra.splice((rand() * extra.length) | 0, 1)[0]);
    while (parts.join(sep).length > 120 && parts.length > 1) parts.splice(parts.length - 2, 1);
    pool.push(parts.join(sep).slice(0, 120).trim());
  }
  return pool;
}

/** Email subjects of 10–80 characters. */
export function subjectPool(rand, count = 200) {
  const pool = [];
  for (let i = 0; i < count; i++) {
    const lang = pick(rand, LANGUAGES);
    const topic = pick(rand, TOPICS[lang]).replace('{n}', String(10000 + ((rand() * 90000) | 0)));
    pool.push((rand() < 0.5 ? SUBJECT_PREFIX[lang] : '') + topic[0].toUpperCase() + topic.slice(1));
  }
  return pool;
}

/** Next steps, short. */
export function nextStepPool(rand, count = 100) {
  const pool = [];
  for (let i = 0; i < count; i++) pool.push(pick(rand, NEXT[pick(rand, LANGUAGES)]));
  return pool;
}

/** People at customers: `{ name, role?, email? }` templates (copied per use). */
export function participantPool(rand, count = 300) {
  const pool = [];
  for (let i = 0; i < count; i++) {
    const lang = pick(rand, LANGUAGES);
    const { name, local } = personName(rand, lang);
    const p = { name };
    if (rand() < 0.5) p.role = pick(rand, ROLES[lang]);
    if (rand() < 0.2) p.email = `${local}@${pick(rand, EMAIL_DOMAINS[lang])}`;
    pool.push(p);
  }
  return pool;
}

/** Bytes V8 takes for a flat string of this text (64-bit, no pointer compression, as node ships). */
export function stringBytes(text) {
  let oneByte = true;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) { oneByte = false; break; }
  return (16 + text.length * (oneByte ? 1 : 2) + 7) & ~7;
}
