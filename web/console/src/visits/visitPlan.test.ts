import { describe, expect, it } from 'vitest'
import { dueThisWeek, groupPlan, progress, type PlanEntryLike } from './visitPlan'

const entry = (name: string, status: PlanEntryLike['status'], due: string | null, visits = 0) => ({
  name,
  status,
  next_due_on: due,
  visits_this_year: visits,
})

describe('groupPlan', () => {
  const plan = [
    entry('met', 'met', null, 3),
    entry('due-late', 'due', '2026-12-30'),
    entry('over', 'overdue', '2026-11-20', 1),
    entry('due-soon', 'due', '2026-12-09'),
    entry('later', 'scheduled', '2027-04-01'),
  ]
  it('puts overdue first, then due, scheduled, met; soonest due first in each', () => {
    expect(groupPlan(plan).map((g) => [g.status, g.entries.map((e) => e.name)])).toEqual([
      ['overdue', ['over']],
      ['due', ['due-soon', 'due-late']],
      ['scheduled', ['later']],
      ['met', ['met']],
    ])
  })
  it('keeps empty groups so the page can say there is none', () => {
    expect(groupPlan([]).map((g) => g.entries.length)).toEqual([0, 0, 0, 0])
  })
  it('picks what is due by Sunday, overdue included', () => {
    // 2026-12-07 is a Monday: the week ends on 2026-12-13.
    expect(dueThisWeek(plan, '2026-12-07').map((e) => e.name)).toEqual(['over', 'due-soon'])
    expect(dueThisWeek(plan, '2026-12-13').map((e) => e.name)).toEqual(['over', 'due-soon'])
  })
})

describe('progress', () => {
  it('counts visits against three a year, never past 100 %', () => {
    expect(progress(entry('a', 'due', '2026-12-09', 1))).toEqual({ done: 1, of: 3, percent: 33 })
    expect(progress(entry('b', 'met', null, 5)).percent).toBe(100)
  })
})
