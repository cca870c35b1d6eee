import { describe, expect, it } from 'vitest'
import { book, type Customer, type Policy, type Visit } from './useCustomers'

const customer = (id: string) => ({ member_id: id, tier: 'three_star' }) as Customer
const policy = (no: string, member: string | null) => ({ policy_no: no, member_id: member }) as Policy
const visit = (member: string, at: string) => ({ id: at, member_id: member, visited_at: at }) as Visit

describe('book', () => {
  it('gives each customer their own policies and their newest visit', () => {
    const entries = book(
      [customer('a'), customer('b')],
      [policy('P1', 'a'), policy('P2', 'a'), policy('P3', null)],
      [visit('a', '2026-11-01T02:00:00Z'), visit('a', '2026-12-01T02:00:00Z'), visit('c', '2026-12-02T02:00:00Z')],
    )
    expect(
      entries.map((e) => [e.customer.member_id, e.policies.map((p) => p.policy_no), e.lastVisit?.visited_at]),
    ).toEqual([
      ['a', ['P1', 'P2'], '2026-12-01T02:00:00Z'],
      ['b', [], undefined],
    ])
  })
})
