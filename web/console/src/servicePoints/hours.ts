/**
 * The point form's opening hours: the same hours on the chosen weekdays (or round the clock), as
 * merchant-svc's `DayHours` rows; and back, for editing a point whose days share one span.
 */
import type { DayHours } from './useServicePoints'

export interface HoursDraft {
  days: number[]
  allDay: boolean
  opens: string
  closes: string
}

export const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7]

export function hoursOf(draft: HoursDraft): DayHours[] {
  const opens = draft.allDay ? '00:00' : draft.opens
  const closes = draft.allDay ? '24:00' : draft.closes
  return [...draft.days].sort((a, b) => a - b).map((day) => ({ day, opens, closes }))
}

/** The draft for a point's hours, or null when its days differ (then the form starts from its first span). */
export function draftOf(hours: readonly DayHours[]): HoursDraft {
  const first = hours[0]
  if (!first) return { days: [...EVERY_DAY], allDay: false, opens: '08:00', closes: '20:00' }
  const allDay = first.opens === '00:00' && first.closes === '24:00'
  return {
    days: [...new Set(hours.map((h) => h.day))].sort((a, b) => a - b),
    allDay,
    opens: allDay ? '08:00' : first.opens,
    closes: allDay ? '20:00' : first.closes,
  }
}

/** Whether every day has the same span (so the one-span form edits it without losing anything). */
export function uniform(hours: readonly DayHours[]): boolean {
  return hours.every((h) => h.opens === hours[0]?.opens && h.closes === hours[0]?.closes)
}

/** "周一、周二 09:00–18:00；周六 全天" for the table (`everyDay` when a span is on all seven days). */
export function summary(
  hours: readonly DayHours[],
  dayName: (day: number) => string,
  allDay: string,
  everyDay: string,
): string {
  const spans = new Map<string, number[]>()
  for (const h of hours) {
    const span = h.opens === '00:00' && h.closes === '24:00' ? allDay : `${h.opens}–${h.closes}`
    spans.set(span, [...(spans.get(span) ?? []), h.day])
  }
  return [...spans.entries()]
    .map(([span, days]) => `${new Set(days).size === 7 ? everyDay : days.map(dayName).join('、')} ${span}`)
    .join('；')
}
