import { describe, expect, it } from 'vitest'
import { cardExpiresAt, DEFAULT_CARD_TTL_MS, isStale, MIN_REFRESH_MS, refreshDelay } from './cardTiming'

const now = Date.parse('2026-12-07T02:00:00Z')

describe('cardExpiresAt', () => {
  it("takes the service's default lifetime when the answer says nothing", () => {
    expect(cardExpiresAt(now)).toBe(now + DEFAULT_CARD_TTL_MS)
    expect(cardExpiresAt(now, new Headers())).toBe(now + DEFAULT_CARD_TTL_MS)
  })
  it('believes an explicit expiry', () => {
    expect(cardExpiresAt(now, new Headers({ 'X-Card-Expires-At': String(now / 1000 + 120) }))).toBe(now + 120_000)
    expect(cardExpiresAt(now, new Headers({ Expires: 'Mon, 07 Dec 2026 02:10:00 GMT' }))).toBe(now + 600_000)
  })
  it('ignores an Expires already past', () => {
    expect(cardExpiresAt(now, new Headers({ Expires: '0' }))).toBe(now + DEFAULT_CARD_TTL_MS)
  })
})

describe('refreshDelay', () => {
  it('refreshes a minute before a 5-minute code expires', () => {
    expect(refreshDelay(now + 300_000, now)).toBe(240_000)
  })
  it('refreshes halfway through a short remaining life, never in a loop', () => {
    expect(refreshDelay(now + 100_000, now)).toBe(50_000)
    expect(refreshDelay(now + 10_000, now)).toBe(MIN_REFRESH_MS)
    expect(refreshDelay(now - 60_000, now)).toBe(MIN_REFRESH_MS)
  })
})

describe('isStale', () => {
  it('says a card back from the background near its end must be fetched first', () => {
    expect(isStale(now + 30_000, now)).toBe(true)
    expect(isStale(now + 200_000, now)).toBe(false)
  })
})
