/**
 * A generated task in words: what kind of work it is, the visit that does it, and what the manager should
 * know before calling (the task's `context`, as member-svc fills it per kind).
 */
import { formatDate, formatDateTime } from '@/format/dates'
import { formatFen } from '@/format/money'
import type { VisitKind } from '@/visits/useVisits'
import type { ManagerTask, TaskKind } from './useManager'

/** The kinds in the order a manager's day takes them (the list filter offers these). */
export const TASK_KINDS: TaskKind[] = [
  'renewal_due',
  'winback',
  'tier_downgrade_warning',
  'post_claim_callback',
  'activity_followup',
  'star_visit_overdue',
]

/** The visit that does a task (member-svc's VISIT_CLOSES). */
export const VISIT_FOR_TASK: Record<TaskKind, VisitKind> = {
  renewal_due: 'renewal_contact',
  winback: 'winback_visit',
  tier_downgrade_warning: 'star_visit',
  star_visit_overdue: 'star_visit',
  post_claim_callback: 'post_claim_callback',
  activity_followup: 'activity_followup',
}

export function visitFor(kind: string): VisitKind {
  return VISIT_FOR_TASK[kind as TaskKind] ?? 'activity_followup'
}

export interface Fact {
  /** i18n key of the label, under `manager.tasks.facts`. */
  label: string
  value: string
}

type Translate = (key: string, fallback?: string) => string

function text(value: unknown): string | null {
  return typeof value === 'string' && value ? value : typeof value === 'number' ? String(value) : null
}

/** The task's context as labelled facts, in words (unknown or empty values are left out). */
export function contextFacts(task: ManagerTask, t: Translate): Fact[] {
  const c = task.context ?? {}
  const facts: Fact[] = []
  const add = (label: string, value: string | null) => {
    if (value) facts.push({ label, value })
  }
  const policy = text(c.policy_no)
  const line = text(c.line)
  const plate = text(c.plate)
  const money = (value: unknown) => (typeof value === 'number' ? formatFen(value) : null)
  const day = (value: unknown) => (text(value) ? formatDate(String(value)) : null)
  const tier = (value: unknown) => (text(value) ? t(`vocab.tier.${String(value)}`, String(value)) : null)
  switch (task.kind) {
    case 'renewal_due':
    case 'winback':
      add('policy', policy && `${line ? t(`vocab.line.${line}`, line) + ' ' : ''}${policy}`)
      add('plate', plate)
      add(task.kind === 'winback' ? 'endedOn' : 'endsOn', day(c.ends_on ?? c.ended_on))
      add('premium', money(c.premium_fen))
      break
    case 'tier_downgrade_warning':
      add('tierChange', tier(c.tier) && tier(c.to_tier) ? `${tier(c.tier)} → ${tier(c.to_tier)}` : tier(c.tier))
      add('effectiveOn', day(c.effective_on))
      add('contributionNeeded', money(c.contribution_needed_fen))
      break
    case 'activity_followup':
      add('activity', text(c.activity_title))
      add('attendedAt', text(c.attended_at) ? formatDateTime(String(c.attended_at)) : null)
      break
    case 'star_visit_overdue':
      add('visitsThisYear', text(c.visits_this_year))
      add('lastVisit', text(c.last_visit_at) ? formatDate(String(c.last_visit_at)) : t('manager.tasks.facts.never'))
      break
    case 'post_claim_callback':
      add('claim', text(c.claim_id))
      add('settledAt', day(c.settled_at))
      break
  }
  return facts
}

/** Closed without a visit because the policy was renewed meanwhile (member-svc sets `closed_by`). */
export function closedByRenewal(task: ManagerTask): string | null {
  const c = task.context ?? {}
  return c.closed_by === 'policy_renewed' ? (text(c.renewal_policy_no) ?? '') : null
}
