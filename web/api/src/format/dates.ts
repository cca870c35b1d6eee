/** Dates and times as people in China read them: always in Asia/Shanghai, whatever the device's zone. */
const ZONE = 'Asia/Shanghai'

const dateTime = new Intl.DateTimeFormat('zh-CN', {
  timeZone: ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
})
const date = new Intl.DateTimeFormat('zh-CN', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' })

function parts(format: Intl.DateTimeFormat, value: string | Date): Record<string, string> {
  const at = typeof value === 'string' ? new Date(value) : value
  return Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]))
}

/** "2026-12-07 10:42" */
export function formatDateTime(value: string | Date): string {
  const p = parts(dateTime, value)
  return `${p.year}-${p.month}-${p.day} ${p.hour === '24' ? '00' : p.hour}:${p.minute}`
}

/** "2026-12-07" (a date-only string such as a policy's end date is shown as it is). */
export function formatDate(value: string | Date): string {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return value
  const p = parts(date, value)
  return `${p.year}-${p.month}-${p.day}`
}

/** The wall clock in Shanghai at an instant: hours and minutes since midnight there. */
export function shanghaiMinutes(value: string | Date): number {
  const p = parts(dateTime, value)
  return (Number(p.hour) % 24) * 60 + Number(p.minute)
}

/** Today's date in Shanghai, "2026-12-07". */
export function shanghaiToday(now: Date = new Date()): string {
  return formatDate(now)
}
