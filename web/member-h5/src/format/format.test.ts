import { describe, expect, it } from 'vitest'
import { formatDate, formatDateTime } from './dates'
import { formatFen } from './money'

describe('formatFen', () => {
  it('shows yuan with two decimals from integer fen', () => {
    expect(formatFen(12345)).toBe('¥123.45')
    expect(formatFen(5)).toBe('¥0.05')
  })
})

describe('dates in Asia/Shanghai', () => {
  it('turns a UTC instant into Beijing time', () => {
    expect(formatDateTime('2026-12-06T16:30:00Z')).toBe('2026-12-07 00:30')
  })
  it('keeps a date-only value as it is', () => {
    expect(formatDate('2027-03-01')).toBe('2027-03-01')
    expect(formatDate('2026-12-06T17:00:00Z')).toBe('2026-12-07')
  })
})
