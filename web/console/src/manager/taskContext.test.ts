import { describe, expect, it } from 'vitest'
import { closedByRenewal, contextFacts, visitFor } from './taskContext'
import type { ManagerTask } from './useManager'

const t = (key: string, fallback?: string) => `<${key}|${fallback ?? ''}>`

function task(kind: string, context: Record<string, unknown>): ManagerTask {
  return {
    id: 't1',
    member_id: 'm1',
    kind,
    source_ref: 'x',
    due_on: '2026-12-20',
    status: 'open',
    visit_id: null,
    priority: 'high',
    context,
  }
}

describe('a generated task in words', () => {
  it('tells the policy, plate, end and premium of a renewal due', () => {
    const facts = contextFacts(
      task('renewal_due', {
        policy_no: 'P1',
        line: 'commercial',
        plate: '闽A12345',
        ends_on: '2026-12-27',
        premium_fen: 420000,
      }),
      t,
    )
    expect(facts.map((f) => f.label)).toEqual(['policy', 'plate', 'endsOn', 'premium'])
    expect(facts[0]?.value).toBe('<vocab.line.commercial|commercial> P1')
    expect(facts[1]?.value).toBe('闽A12345')
    expect(facts[3]?.value).toContain('4,200')
  })

  it('says when a win-back policy ended, and leaves out what is unknown', () => {
    const facts = contextFacts(task('winback', { policy_no: 'P2', ended_on: '2026-11-01', plate: null }), t)
    expect(facts.map((f) => f.label)).toEqual(['policy', 'endedOn'])
  })

  it('tells a downgrade from tier to tier and what is needed to keep it', () => {
    const facts = contextFacts(
      task('tier_downgrade_warning', {
        tier: 'five_star',
        to_tier: 'four_star',
        effective_on: '2027-01-01',
        contribution_needed_fen: 50000,
      }),
      t,
    )
    expect(facts[0]).toEqual({
      label: 'tierChange',
      value: '<vocab.tier.five_star|five_star> → <vocab.tier.four_star|four_star>',
    })
    expect(facts.map((f) => f.label)).toEqual(['tierChange', 'effectiveOn', 'contributionNeeded'])
  })

  it('names the activity attended and a star customer never visited', () => {
    expect(contextFacts(task('activity_followup', { activity_title: '鼓岭自驾' }), t)[0]?.value).toBe('鼓岭自驾')
    const star = contextFacts(task('star_visit_overdue', { visits_this_year: 0, last_visit_at: null }), t)
    expect(star).toEqual([
      { label: 'visitsThisYear', value: '0' },
      { label: 'lastVisit', value: '<manager.tasks.facts.never|>' },
    ])
  })

  it('is done by the visit member-svc closes it with', () => {
    expect(visitFor('renewal_due')).toBe('renewal_contact')
    expect(visitFor('winback')).toBe('winback_visit')
    expect(visitFor('tier_downgrade_warning')).toBe('star_visit')
    expect(visitFor('post_claim_callback')).toBe('post_claim_callback')
  })

  it('knows a task closed because the policy was renewed meanwhile', () => {
    expect(closedByRenewal(task('renewal_due', { closed_by: 'policy_renewed', renewal_policy_no: 'P9' }))).toBe('P9')
    expect(closedByRenewal(task('renewal_due', {}))).toBeNull()
  })
})
