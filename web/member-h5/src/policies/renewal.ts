/** A policy's renewal state, as the member reads it: renewed, due soon, ended, or nothing to do yet. */
export type Renewal = 'renewed' | 'due' | 'overdue' | 'ended' | 'cancelled' | 'in-force'

export const RENEWAL_WINDOW_DAYS = 90

export interface PolicyLike {
  policy_no: string
  previous_policy_no: string | null
  status: string
  ends_on: string
}

/** Whole days from `today` (YYYY-MM-DD, Beijing) to `day`. */
export function daysBetween(today: string, day: string): number {
  return Math.round((Date.parse(`${day}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000)
}

export function renewalOf(policy: PolicyLike, all: PolicyLike[], today: string): Renewal {
  if (all.some((other) => other.previous_policy_no === policy.policy_no)) return 'renewed'
  if (policy.status === 'cancelled') return 'cancelled'
  const left = daysBetween(today, policy.ends_on)
  if (left < 0) return policy.status === 'lapsed' ? 'ended' : 'overdue'
  if (policy.status === 'lapsed') return 'ended'
  return left <= RENEWAL_WINDOW_DAYS ? 'due' : 'in-force'
}
