/**
 * Traditional ⇄ Simplified, for the characters of the development set's Chinese utterances only
 * (written for the test, independently of the lexicon's own `fold`): pairs of (from, to).
 */
export const TRADITIONAL_TO_SIMPLIFIED =
  '亂乱 來来 係系 個个 們们 價价 兒儿 內内 兩两 別别 剛刚 動动 務务 員员 問问 單单 嗎吗 團团 報报 壓压 壞坏 實实 專专 對对 師师 帳帐 幫帮 幾几 廚厨 廣广 ' +
  '張张 後后 從从 態态 慮虑 應应 戶户 換换 損损 擇择 擔担 據据 數数 時时 書书 會会 東东 條条 業业 樣样 機机 檔档 歡欢 氣气 決决 沒没 準准 滯滞 滿满 漲涨 ' +
  '潔洁 濕湿 為为 煩烦 熱热 營营 現现 產产 當当 發发 盡尽 確确 禮礼 穩稳 筆笔 約约 納纳 級级 細细 結结 給给 經经 維维 網网 線线 編编 繳缴 續续 聲声 舊旧 ' +
  '萬万 薦荐 藍蓝 處处 號号 蠻蛮 裝装 裡里 複复 覆复 見见 覺觉 訂订 計计 訊讯 記记 訴诉 詢询 話话 認认 誤误 說说 請请 講讲 謝谢 讓让 貨货 買买 費费 資资 ' +
  '質质 贈赠 車车 較较 轉转 這这 週周 進进 運运 過过 遞递 遲迟 選选 還还 郵邮 錢钱 錯错 鎖锁 鐘钟 門门 開开 間间 關关 隊队 階阶 際际 險险 電电 順顺 預预 ' +
  '頭头 題题 額额 顏颜 風风 騙骗 麼么 點点 ';

export const SIMPLIFIED_TO_TRADITIONAL =
  '万萬 业業 东東 两兩 个個 为為 么麼 书書 买買 产產 从從 们們 价價 会會 传傳 儿兒 关關 内內 写寫 决決 准準 凉涼 几幾 刚剛 别別 务務 动動 单單 卫衛 压壓 ' +
  '厨廚 发發 台臺 号號 后後 吗嗎 员員 周週 咨諮 响響 团團 坏壞 块塊 壶壺 处處 复覆 头頭 实實 对對 尽儘 师師 帮幫 应應 开開 异異 张張 当當 态態 户戶 报報 ' +
  '担擔 择擇 损損 换換 旧舊 时時 机機 条條 来來 样樣 欢歡 气氣 没沒 洁潔 涨漲 湿溼 滞滯 满滿 炉爐 点點 烦煩 热熱 现現 电電 确確 礼禮 笔筆 系係 约約 级級 ' +
  '纳納 线線 细細 经經 结結 给給 续續 维維 节節 荐薦 营營 蓝藍 虑慮 表錶 装裝 见見 觉覺 计計 订訂 认認 让讓 讲講 诉訴 话話 询詢 该該 误誤 说說 请請 谢謝 ' +
  '财財 账賬 货貨 质質 费費 资資 赠贈 车車 转轉 软軟 过過 运運 还還 这這 进進 迟遲 选選 递遞 邮郵 里裡 钟鐘 钱錢 销銷 锁鎖 锅鍋 错錯 门門 闪閃 问問 间間 ' +
  '队隊 际際 险險 顺順 预預 题題 颜顏 额額 骗騙 ';

const table = (pairs: string) => new Map(pairs.split(' ').filter((p) => p.length === 2).map((p) => [p[0]!, p[1]!] as const));
const t2s = table(TRADITIONAL_TO_SIMPLIFIED);
const s2t = table(SIMPLIFIED_TO_TRADITIONAL);

/** The text in Simplified characters (those this map knows). */
export const toSimplified = (text: string) => [...text].map((ch) => t2s.get(ch) ?? ch).join('');
/** The text in Traditional characters (those this map knows). */
export const toTraditional = (text: string) => [...text].map((ch) => s2t.get(ch) ?? ch).join('');
