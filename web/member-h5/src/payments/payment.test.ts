import { describe, expect, it } from 'vitest'
import { bridgeOutcome, cashierUrl, clock, moneyAmount, moneyKey, returnUrl, secondsLeft } from './payment'

describe('time left to pay', () => {
  it('counts whole seconds down to the deadline and stops at zero', () => {
    const due = '2026-12-07T06:15:00Z'
    expect(secondsLeft(due, Date.parse('2026-12-07T06:00:00.500Z'))).toBe(899)
    expect(secondsLeft(due, Date.parse('2026-12-07T06:16:00Z'))).toBe(0)
  })

  it('reads as a clock', () => {
    expect(clock(899)).toBe('14:59')
    expect(clock(5)).toBe('00:05')
    expect(clock(3725)).toBe('1:02:05')
  })
})

describe("the cashier's way back", () => {
  it('comes back to our page, saying a payment is under way', () => {
    const back = returnUrl('http://127.0.0.1:8080', '/h5/', '/orders/42')
    expect(back).toBe('http://127.0.0.1:8080/h5/orders/42?paying=1')
    expect(cashierUrl('http://pay.example/checkmweb?prepay_id=wx1&package=9', back)).toBe(
      'http://pay.example/checkmweb?prepay_id=wx1&package=9&redirect_url=http%3A%2F%2F127.0.0.1%3A8080%2Fh5%2Forders%2F42%3Fpaying%3D1',
    )
  })
})

describe("WeChat's bridge", () => {
  it('says ok, cancel or fail in its own words', () => {
    expect(bridgeOutcome('get_brand_wcpay_request:ok')).toBe('ok')
    expect(bridgeOutcome('get_brand_wcpay_request:cancel')).toBe('cancel')
    expect(bridgeOutcome('get_brand_wcpay_request:fail')).toBe('fail')
    expect(bridgeOutcome(undefined)).toBe('fail')
  })
})

describe('where the money stands', () => {
  const summary = (status: 'paid' | 'refunding' | 'refunded' | 'unpaid') => ({
    status,
    paid_fen: 2000,
    refunded_fen: status === 'refunded' ? 2000 : 0,
    refunding_fen: status === 'refunding' ? 2000 : 0,
  })

  it('says nothing before a payment', () => {
    expect(moneyKey(null)).toBeNull()
    expect(moneyKey(summary('unpaid'))).toBeNull()
  })

  it('shows what was paid, or what goes back', () => {
    expect([moneyKey(summary('paid')), moneyAmount(summary('paid'))]).toEqual(['paid', 2000])
    expect([moneyKey(summary('refunding')), moneyAmount(summary('refunding'))]).toEqual(['refunding', 2000])
    expect([moneyKey(summary('refunded')), moneyAmount(summary('refunded'))]).toEqual(['refunded', 2000])
  })
})
