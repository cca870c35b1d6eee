/**
 * The star-customer visit plan (3–5 visits a year each, paced by member-svc: overdue, due within 30 days,
 * scheduled later, met) grouped for the manager's phone: what to do first, how many of each.
 */
export type PlanStatus = 'overdue' | 'due' | 'scheduled' | 'met'
export const PLAN_ORDER: PlanStatus[] = ['overdue', 'due', 'scheduled', 'met']
/** Visits a star customer needs a year (the plan is met at the third; five is the most asked). */
export const VISITS_PER_YEAR = 3

export interface PlanEntryLike {
  status: PlanStatus
  next_due_on: string | null
  visits_this_year: number
}

export interface PlanGroup<T> {
  status: PlanStatus
  entries: T[]
}

/** Groups in the order to work them, each soonest due first; empty groups are kept (they show "none"). */
export function groupPlan<T extends PlanEntryLike>(entries: readonly T[]): PlanGroup<T>[] {
  return PLAN_ORDER.map((status) => ({
    status,
    entries: entries
      .filter((entry) => entry.status === status)
      .sort((a, b) => (a.next_due_on ?? '9999').localeCompare(b.next_due_on ?? '9999')),
  }))
}

/** Entries due by the end of this week (Monday to Sunday, Shanghai dates as "YYYY-MM-DD"), overdue included. */
export function dueThisWeek<T extends PlanEntryLike>(entries: readonly T[], today: string): T[] {
  const date = new Date(`${today}T00:00:00Z`)
  const sunday = new Date(date.getTime() + ((7 - date.getUTCDay()) % 7) * 86_400_000).toISOString().slice(0, 10)
  return entries.filter(
    (entry) =>
      entry.status === 'overdue' || (entry.status === 'due' && !!entry.next_due_on && entry.next_due_on <= sunday),
  )
}

/** "1/3": visits made this year against the plan. */
export function progress(entry: PlanEntryLike): { done: number; of: number; percent: number } {
  const done = entry.visits_this_year
  return { done, of: VISITS_PER_YEAR, percent: Math.min(100, Math.round((done / VISITS_PER_YEAR) * 100)) }
}
