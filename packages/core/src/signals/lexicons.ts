import type { Lexicon, LexiconLanguage } from './lexicon.js';

/* Word lists written for this project. Weights: 2 = a complaint on its own, 1 = needs company. */

const en: Lexicon = {
  script: 'words',
  negative: {
    'terribl*': 2, 'horribl*': 2, 'awful': 2, 'appalling': 2, 'unacceptable': 2, 'ridiculous': 2, 'disgrace*': 2,
    'disappoint*': 2, 'frustrat*': 2, 'furious': 2, 'angry': 2, 'annoyed': 2, 'fed up': 2, 'unhappy': 2, 'dissatisfied': 2,
    'rude': 2, 'complain*': 2, 'complaint': 2, 'refund': 1, 'want a refund': 2, 'money back': 2, 'my money back': 2,
    'broken': 1, 'faulty': 2, 'defective': 2, 'damaged': 1, 'poor': 1, 'worst': 2, 'useless': 2, 'rip off': 2, 'scam': 2,
    'never showed up': 2, 'never arrived': 2, 'still waiting': 2, 'still not': 1, 'still locked': 2, 'again': 1,
    'third time': 2, 'second time': 1, 'charged twice': 2, 'overcharged': 2, 'wrong': 1, 'late': 1, 'cold': 1,
    'crash*': 1, 'keeps crashing': 2, 'stopped working': 2, 'on hold': 1, 'hung up': 2, 'nobody': 1, 'no one': 1,
    'cancel': 1, 'problem': 1, 'trouble': 1, 'issue': 1, 'expected better': 2, 'expected a lot better': 2, 'tore': 1,
    'not fair': 2, 'unfair': 2, 'promised': 1, 'locked': 1, 'wasted': 2, 'waste of': 2,
  },
  positive: {
    'happy': 2, 'satisfied': 2, 'pleased': 2, 'work': 2, 'works': 2, 'working': 2, 'received': 2, 'arrived': 2,
    'answered': 2, 'replied': 2, 'resolved': 2, 'fixed': 2, 'fair': 2, 'good': 2, 'helpful': 2, 'acceptable': 2, 'showed up': 2,
  },
  negators: ['not', 'no', 'never', 'without', 'nothing', 'hardly', 'cannot', 'nor', 'none', 'no longer', 'at all not'],
  breaks: ['but', 'however', 'although', 'though', 'yet'],
  neutral: ['no problem', 'not a problem', 'no worries', 'not bad', 'on hold music', 'no complaints'],
};

const zhCN: Lexicon = {
  script: 'chars',
  negative: {
    '太差': 2, '很差': 2, '真差': 2, '态度差': 2, '质量差': 2, '失望': 2, '生气': 2, '气死': 2, '不满': 2, '不满意': 2, '投诉': 2, '抱怨': 2,
    '退款': 1, '退钱': 2, '要求退款': 2, '赔偿': 2, '骗': 2, '被骗': 2, '坑人': 2, '垃圾': 2, '糟糕': 2, '烂': 1,
    '坏了': 2, '压坏': 2, '漏水': 2, '闪退': 2, '有问题': 1, '问题': 1, '还是没有': 2, '还没': 1, '一直没': 2, '没人': 2,
    '没有解决': 2, '没解决': 2, '没来': 2, '没收到': 2, '没有给': 2, '没给': 2, '不合理': 2, '扣了': 1, '两次': 1, '又': 1,
    '打不通': 2, '用不了': 2, '不能用': 2, '浪费时间': 2, '等了': 1, '开错': 2, '错了': 1, '凉的': 1, '少了': 1,
    '不想再用': 2, '取消': 1, '被锁': 1, '三次': 1, '认真一点': 2, '完全不一样': 2, '更糟': 2, '差劲': 2, '麻烦': 1,
  },
  positive: { '满意': 2, '好': 2, '解决': 2, '收到': 2, '回复': 2, '合理': 2, '能用': 2, '好用': 2, '来': 1 },
  negators: ['不', '没', '没有', '未', '别', '不是', '并不', '从来没有', '从来没', '从没', '一点也不', '一点都不'],
  breaks: ['但是', '但', '可是', '不过', '只是'],
  neutral: ['不好意思', '没问题', '没关系', '不客气', '不错', '没什么可抱怨', '不麻烦', '麻烦你', '麻烦您', '没事'],
};

const zhTW: Lexicon = {
  script: 'chars',
  negative: {
    '太差': 2, '很差': 2, '真差': 2, '態度差': 2, '品質差': 2, '失望': 2, '生氣': 2, '氣死': 2, '不滿': 2, '不滿意': 2, '投訴': 2, '客訴': 2, '抱怨': 2,
    '退款': 1, '退錢': 2, '要退款': 2, '賠償': 2, '騙': 2, '被騙': 2, '坑人': 2, '垃圾': 2, '糟糕': 2, '爛': 1,
    '壞了': 2, '破了': 2, '壓壞': 2, '漏水': 2, '當機': 2, '閃退': 2, '有問題': 1, '問題': 1, '還是沒有': 2, '還沒': 1, '一直沒': 2, '沒人': 2,
    '沒有解決': 2, '沒解決': 2, '沒來': 2, '沒收到': 2, '沒有給': 2, '沒給': 2, '不合理': 2, '扣了': 1, '兩次': 1, '又': 1,
    '打不通': 2, '用不了': 2, '不能用': 2, '浪費時間': 2, '等了': 1, '開錯': 2, '錯了': 1, '冷掉': 1, '少了': 1,
    '不想再用': 2, '取消': 1, '被鎖': 1, '三次': 1, '認真一點': 2, '差太多': 2, '更糟': 2, '差勁': 2, '麻煩': 1,
  },
  positive: { '滿意': 2, '好': 2, '解決': 2, '收到': 2, '回覆': 2, '合理': 2, '能用': 2, '好用': 2, '來': 1 },
  negators: ['不', '沒', '沒有', '未', '別', '不是', '並不', '從來沒有', '從來沒', '從沒', '一點也不', '一點都不'],
  breaks: ['但是', '但', '可是', '不過', '只是'],
  neutral: ['不好意思', '沒問題', '沒關係', '不客氣', '不錯', '沒什麼好抱怨', '不麻煩', '麻煩你', '麻煩您', '沒事'],
};

const ms: Lexicon = {
  script: 'words',
  negative: {
    'teruk': 2, 'kecewa': 2, 'mengecewakan': 2, 'marah': 2, 'geram': 2, 'bengang': 2, 'aduan': 2, 'mengadu': 2, 'komplen': 2,
    'bayaran balik': 1, 'mahu bayaran balik': 2, 'duit saya balik': 2, 'pulangkan': 1, 'rosak': 2, 'bocor': 2, 'koyak': 2,
    'masalah': 1, 'kali ketiga': 2, 'kali kedua': 1, 'dicaj dua kali': 2, 'dua kali': 1, 'lewat': 1, 'lambat': 1, 'sejuk': 1,
    'tergantung': 2, 'asyik': 1, 'kurang ajar': 2, 'biadab': 2, 'salah': 1, 'lagi': 1, 'batalkan': 1, 'tunggu': 1, 'masih': 1,
    'tiada siapa': 2, 'tak ada siapa': 2, 'tidak boleh diterima': 2, 'tidak adil': 2, 'tak adil': 2, 'dikunci': 1,
    'tidak datang': 2, 'tak datang': 2, 'belum sampai': 2, 'tidak diberi': 2, 'tak diberi': 2, 'membazir': 2, 'tipu': 2, 'ditipu': 2,
  },
  positive: {
    'puas hati': 2, 'berpuas hati': 2, 'gembira': 2, 'berfungsi': 2, 'sampai': 1, 'diterima': 2, 'adil': 2, 'bagus': 2,
    'baik': 2, 'selesai': 2, 'boleh guna': 2, 'datang': 1,
  },
  negators: ['tidak', 'tak', 'bukan', 'belum', 'tiada', 'jangan', 'tanpa', 'tidak pernah', 'tak pernah', 'langsung tidak', 'x'],
  breaks: ['tetapi', 'tapi', 'namun'],
  neutral: ['tiada masalah', 'tak ada masalah', 'tidak ada masalah', 'tak teruk', 'tidak teruk', 'bayaran balik sudah', 'terima kasih'],
  doubleNegation: 'concord',
};

const it: Lexicon = {
  script: 'words',
  negative: {
    'pessim*': 2, 'terribil*': 2, 'orribil*': 2, 'schifo': 2, 'vergogn*': 2, 'inaccettabil*': 2, 'assurd*': 2, 'ridicol*': 2,
    'delus*': 2, 'deludent*': 2, 'arrabbiat*': 2, 'stufo': 2, 'stufa': 2, 'insoddisfatt*': 2, 'reclamo': 2, 'lamentel*': 2,
    'rimborso': 1, 'voglio un rimborso': 2, 'rivoglio': 2, 'soldi indietro': 2, 'guast*': 2, 'rott*': 2, 'difettos*': 2,
    'danneggiat*': 2, 'scadent*': 2, 'maleducat*': 2, 'scortes*': 2, 'ritardo': 1, 'freddo': 1, 'sbagliat*': 1, 'un\'altra volta': 1,
    'di nuovo': 1, 'ancora': 1, 'terza volta': 2, 'due volte': 1, 'addebitato due volte': 2, 'si blocca': 2, 'bloccat*': 1,
    'strappat*': 2, 'disdire': 1, 'attesa': 1, 'nessuno': 1, 'problema': 1, 'problemi': 1, 'truffa': 2, 'in faccia': 1,
    'smesso di funzionare': 2, 'non si è mai presentato': 2, 'promess*': 1,
  },
  positive: {
    'soddisfatt*': 2, 'content*': 2, 'funziona': 2, 'funzionano': 2, 'ricevuto': 2, 'arrivat*': 1, 'giusto': 2, 'buon*': 2,
    'bene': 2, 'risolto': 2, 'risposto': 2, 'accettabil*': 2,
  },
  negators: ['non', 'mai', 'nessun', 'nessuna', 'niente', 'nulla', 'senza', 'né', 'per niente', 'per nulla'],
  breaks: ['ma', 'però', 'tuttavia', 'eppure'],
  neutral: ['nessun problema', 'senza problemi', 'non è male', 'niente male', 'va bene', 'tutto risolto'],
  doubleNegation: 'concord',
};

/** The lexicons shipped with {@link lexiconClassifier}, by language tag. */
export const LEXICONS: Readonly<Record<LexiconLanguage, Lexicon>> = { en, 'zh-CN': zhCN, 'zh-TW': zhTW, ms, it };
