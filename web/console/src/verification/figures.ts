/** Rows of (day, reviewer, callbacks) as a chart's axis and one series per reviewer, days in order. */
export function perDaySeries(rows: readonly { day: string; reviewer: string; callbacks: number }[]) {
  const days = [...new Set(rows.map((row) => row.day))].sort()
  const names = [...new Set(rows.map((row) => row.reviewer))].sort()
  const reviewers = names.map((name) => ({
    name,
    values: days.map((day) =>
      rows.filter((row) => row.day === day && row.reviewer === name).reduce((sum, row) => sum + row.callbacks, 0),
    ),
  }))
  return { days, reviewers, total: rows.reduce((sum, row) => sum + row.callbacks, 0) }
}
