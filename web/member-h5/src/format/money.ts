/** Money is kept in fen (integer) everywhere and formatted here only: 12345 → "¥123.45", 0 → "免费"-free text is the caller's. */
const yuan = new Intl.NumberFormat('zh-CN', { style: 'currency', currency: 'CNY', minimumFractionDigits: 2 })

export function formatFen(fen: number): string {
  return yuan.format(fen / 100)
}
