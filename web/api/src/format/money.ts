/** Money is kept in fen (integer) everywhere and formatted here only: 12345 → "¥123.45". */
const yuan = new Intl.NumberFormat('zh-CN', { style: 'currency', currency: 'CNY', minimumFractionDigits: 2 })

export function formatFen(fen: number): string {
  return yuan.format(fen / 100)
}

/** What a person typed in yuan ("1,234.5") as integer fen, or null when it is not an amount. */
export function yuanToFen(text: string | number): number | null {
  const cleaned = String(text).replace(/[,¥\s]/g, '')
  if (!/^\d+(\.\d{1,2})?$/.test(cleaned)) return null
  const [whole, fraction = ''] = cleaned.split('.')
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'))
}
