/**
 * The online survey's service hours (every day, 08:00–20:00 in Shanghai): open now, or when it opens again.
 * claims-svc keeps the same hours (CLAIMS_SERVICE_OPENS/CLOSES); the queue shows the state to the surveyor.
 */
import { shanghaiMinutes } from '@/format/dates'

export interface ServiceState {
  open: boolean
  /** Minutes until closing (open) or until opening (closed). */
  minutes: number
}

function toMinutes(hhmm: string): number {
  const [hours = 0, minutes = 0] = hhmm.split(':').map(Number)
  return hours * 60 + minutes
}

export function serviceState(now: Date, opens = '08:00', closes = '20:00'): ServiceState {
  const at = shanghaiMinutes(now)
  const start = toMinutes(opens)
  const end = toMinutes(closes)
  if (at >= start && at < end) return { open: true, minutes: end - at }
  return { open: false, minutes: at < start ? start - at : 24 * 60 - at + start }
}

/** How long a survey has waited, in whole minutes (never negative). */
export function waitedMinutes(queuedAt: string, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - Date.parse(queuedAt)) / 60000))
}

/** The survey was promised by `expectedBy` and that time has passed. */
export function overdue(expectedBy: string, now: Date): boolean {
  return Date.parse(expectedBy) < now.getTime()
}
