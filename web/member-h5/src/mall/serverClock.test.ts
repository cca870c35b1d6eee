import { describe, expect, it } from 'vitest'
import { clockText, countdown, salePhase, ServerClock } from './serverClock'

function fakeMonotonic(start = 1_000) {
  let t = start
  return { now: () => t, advance: (ms: number) => (t += ms) }
}

describe('ServerClock', () => {
  it('knows nothing before an answer', () => {
    expect(new ServerClock(() => 0).now()).toBeNull()
  })

  it('takes the server time from the Date header, not the phone clock', () => {
    const mono = fakeMonotonic()
    const clock = new ServerClock(mono.now)
    // The phone thinks it is 1999; the server says 2026-12-07 10:00:00 UTC.
    clock.observe('Mon, 07 Dec 2026 10:00:00 GMT', 1_000, 1_100)
    const server = Date.parse('2026-12-07T10:00:00Z')
    // Half a second into the header's whole second, at the middle of the round trip (1,050); now is 1,000.
    expect(clock.now()).toBe(server + 500 - 50)
    mono.advance(60_000)
    expect(clock.now()).toBe(server + 450 + 60_000) // carried forward by the monotonic clock
  })

  it('keeps the most precise observation (shortest round trip)', () => {
    const mono = fakeMonotonic(10_000)
    const clock = new ServerClock(mono.now)
    clock.observe('Mon, 07 Dec 2026 10:00:05 GMT', 0, 8_000) // a slow answer: ±4.5 s
    clock.observe('Mon, 07 Dec 2026 10:00:09 GMT', 9_900, 10_000) // a quick one: ±0.55 s
    expect(clock.now()).toBe(Date.parse('2026-12-07T10:00:09Z') + 500 + 50)
    clock.observe('Mon, 07 Dec 2026 10:00:30 GMT', 2_000, 9_000) // slow again: ignored
    expect(clock.now()).toBe(Date.parse('2026-12-07T10:00:09Z') + 550)
  })

  it('ignores answers without a usable Date', () => {
    const clock = new ServerClock(() => 0)
    clock.observe(null, 0, 10)
    clock.observe('not a date', 0, 10)
    expect(clock.now()).toBeNull()
  })
})

describe('countdown', () => {
  it('splits what is left and rounds up to the second', () => {
    const c = countdown(Date.parse('2026-12-08T12:05:09.200Z'), Date.parse('2026-12-07T10:00:00Z'))
    expect([c.days, c.hours, c.minutes, c.seconds]).toEqual([1, 2, 5, 10])
    expect(clockText(c)).toBe('02:05:10')
  })
  it('stops at zero', () => {
    expect(countdown(0, 5_000)).toMatchObject({ left: 0, seconds: 0 })
  })
})

describe('salePhase against the server clock', () => {
  const sale = { starts_at: '2026-12-07T10:00:00Z', ends_at: null, stock: 3, per_member_limit: 1 }
  const at = (iso: string) => Date.parse(iso)

  it('is upcoming until the server says it has started, whatever the phone says', () => {
    expect(salePhase(sale, null, 0)).toBe('unknown')
    expect(salePhase(sale, at('2026-12-07T09:59:59Z'), 0)).toBe('upcoming')
    expect(salePhase(sale, at('2026-12-07T10:00:00Z'), 0)).toBe('open')
  })
  it('is sold out without stock and limit-reached after my one', () => {
    expect(salePhase({ ...sale, stock: 0 }, at('2026-12-07T10:01:00Z'), 0)).toBe('sold-out')
    expect(salePhase(sale, at('2026-12-07T10:01:00Z'), 1)).toBe('limit-reached')
  })
  it('has ended after ends_at', () => {
    expect(salePhase({ ...sale, ends_at: '2026-12-07T11:00:00Z' }, at('2026-12-07T11:00:00Z'), 0)).toBe('ended')
  })
})
