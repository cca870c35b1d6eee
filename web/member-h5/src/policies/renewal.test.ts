import { describe, expect, it } from 'vitest'
import { daysBetween, renewalOf, type PolicyLike } from './renewal'

const policy = (policy_no: string, ends_on: string, extra: Partial<PolicyLike> = {}): PolicyLike => ({
  policy_no,
  previous_policy_no: null,
  status: 'active',
  ends_on,
  ...extra,
})

describe('renewalOf', () => {
  const today = '2026-12-07'
  it('counts days in whole calendar days', () => {
    expect(daysBetween(today, '2027-02-09')).toBe(64)
  })
  it('is due within 90 days, in force before', () => {
    expect(renewalOf(policy('A', '2027-02-09'), [], today)).toBe('due')
    expect(renewalOf(policy('A', '2027-12-01'), [], today)).toBe('in-force')
  })
  it('knows a renewed policy by its successor', () => {
    const old = policy('A', '2027-02-09')
    const renewal = policy('B', '2028-02-09', { previous_policy_no: 'A' })
    expect(renewalOf(old, [old, renewal], today)).toBe('renewed')
    expect(renewalOf(renewal, [old, renewal], today)).toBe('in-force')
  })
  it('knows ended and cancelled policies', () => {
    expect(renewalOf(policy('A', '2026-11-01', { status: 'lapsed' }), [], today)).toBe('ended')
    expect(renewalOf(policy('A', '2026-11-01'), [], today)).toBe('overdue')
    expect(renewalOf(policy('A', '2027-11-01', { status: 'cancelled' }), [], today)).toBe('cancelled')
  })
})
