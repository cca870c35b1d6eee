import { describe, expect, it } from 'vitest'
import { formatDate, formatDateTime, shanghaiMinutes } from './dates'
import { formatFen, yuanToFen } from './money'

describe('money', () => {
  it('shows yuan with two decimals from integer fen', () => {
    expect(formatFen(12345)).toBe('¥123.45')
    expect(formatFen(5)).toBe('¥0.05')
  })
  it('reads what staff type in yuan as fen, refusing what is not an amount', () => {
    expect(yuanToFen('1,234.5')).toBe(123450)
    expect(yuanToFen('0.07')).toBe(7)
    expect(yuanToFen(88)).toBe(8800)
    expect(yuanToFen('1.234')).toBeNull()
    expect(yuanToFen('-3')).toBeNull()
    expect(yuanToFen('')).toBeNull()
  })
})

describe('dates in Asia/Shanghai', () => {
  it('turns a UTC instant into Beijing time', () => {
    expect(formatDateTime('2026-12-06T16:30:00Z')).toBe('2026-12-07 00:30')
    expect(shanghaiMinutes('2026-12-06T16:30:00Z')).toBe(30)
  })
  it('keeps a date-only value as it is', () => {
    expect(formatDate('2027-03-01')).toBe('2027-03-01')
    expect(formatDate('2026-12-06T17:00:00Z')).toBe('2026-12-07')
  })
})
