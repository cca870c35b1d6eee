/** Dates in Asia/Shanghai, the same in every app (`@cheyou/api`'s format/dates.ts). */
export { formatDate, formatDateTime, shanghaiMinutes, shanghaiToday } from '@cheyou/api'
