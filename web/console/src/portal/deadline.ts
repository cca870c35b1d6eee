/** The accept deadline of a dispatched order, counting down: how long is left, in words a dispatcher reads at a glance. */

export type Urgency = 'calm' | 'soon' | 'urgent' | 'overdue'

export interface Countdown {
  /** Whole seconds left (0 once the deadline has passed). */
  seconds: number
  overdue: boolean
  /** "12:05" (minutes:seconds), "1:02:05" past an hour, "00:00" once overdue. */
  clock: string
  urgency: Urgency
}

const two = (n: number) => String(n).padStart(2, '0')

/** Seconds left below which the order is `urgent` (red) and `soon` (amber). */
export const URGENT_SECONDS = 60
export const SOON_SECONDS = 5 * 60

export function countdown(dueAt: string | Date, now: Date | number): Countdown {
  const due = typeof dueAt === 'string' ? Date.parse(dueAt) : dueAt.getTime()
  const at = typeof now === 'number' ? now : now.getTime()
  // Round up: with 0.4 s left the order can still be accepted, so it must not read "00:00".
  const seconds = Math.max(0, Math.ceil((due - at) / 1000))
  const overdue = due <= at
  const hours = Math.floor(seconds / 3600)
  const minutes = Math.floor((seconds % 3600) / 60)
  const clock = hours > 0 ? `${hours}:${two(minutes)}:${two(seconds % 60)}` : `${two(minutes)}:${two(seconds % 60)}`
  const urgency: Urgency = overdue
    ? 'overdue'
    : seconds <= URGENT_SECONDS
      ? 'urgent'
      : seconds <= SOON_SECONDS
        ? 'soon'
        : 'calm'
  return { seconds, overdue, clock, urgency }
}
