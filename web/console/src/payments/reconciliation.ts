/**
 * The daily reconciliation in words: each difference as ops read it, the days and the differences as CSV
 * (the API answers JSON only, so the console writes the file), and the dates a run may be asked for.
 * Amounts stay integer fen until they are shown (`formatFen`) or written (yuan with two decimals).
 */
import { ApiError } from '@cheyou/api'
import type { DifferenceRead, ReconciliationRead } from './usePayments'

type Translate = (key: string, params?: Record<string, unknown>) => string

/** i18n key (under `payments.kinds`) of what a difference is: the subject and the side that lacks it. */
export function kindKey(difference: Pick<DifferenceRead, 'subject' | 'kind'>): string {
  return `${difference.subject}.${difference.kind}`
}

/** WeChat Pay's amount less ours, in fen, when both sides have the line. */
export function gapFen(difference: Pick<DifferenceRead, 'ours_fen' | 'theirs_fen'>): number | null {
  const { ours_fen: ours, theirs_fen: theirs } = difference
  return ours === null || ours === undefined || theirs === null || theirs === undefined ? null : theirs - ours
}

/** Fen as yuan with two decimals and no symbol, for a spreadsheet ("2000" → "20.00", "-5" → "-0.05"). */
export function yuanText(fen: number | null | undefined): string {
  if (fen === null || fen === undefined) return ''
  const sign = fen < 0 ? '-' : ''
  const abs = Math.abs(fen)
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}

/** One CSV field: quoted when it holds a comma, a quote or a line break; text starting with =, +, - or @
 * that is not a plain number is defused so a spreadsheet does not run it as a formula. */
function field(value: string | number): string {
  let text = String(value)
  if (/^[=+\-@]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

export function toCsv(rows: (string | number)[][]): string {
  return rows.map((row) => row.map(field).join(',')).join('\r\n') + '\r\n'
}

/** The days of a list, one line each. */
export function daysCsv(runs: ReconciliationRead[], t: Translate, when: (iso: string) => string): string {
  return toCsv([
    [
      t('payments.billDate'),
      t('payments.status'),
      t('payments.tradeLines'),
      t('payments.refundLines'),
      t('payments.matched'),
      t('payments.differences'),
      t('payments.runBy'),
      t('payments.reconciledAt'),
    ],
    ...runs.map((run) => [
      run.bill_date,
      t(`payments.statuses.${run.status}`),
      run.trade_lines,
      run.refund_lines,
      run.matched,
      run.differences,
      run.run_by,
      when(run.reconciled_at),
    ]),
  ])
}

/** A day's differences, one line each, amounts in yuan. */
export function differencesCsv(run: ReconciliationRead, t: Translate): string {
  return toCsv([
    [
      t('payments.billDate'),
      t('payments.kind'),
      t('payments.outTradeNo'),
      t('payments.outRefundNo'),
      t('payments.oursYuan'),
      t('payments.theirsYuan'),
      t('payments.gapYuan'),
    ],
    ...(run.items ?? []).map((d) => [
      run.bill_date,
      t(`payments.kinds.${kindKey(d)}`),
      d.out_trade_no,
      d.out_refund_no ?? '',
      yuanText(d.ours_fen),
      yuanText(d.theirs_fen),
      yuanText(gapFen(d)),
    ]),
  ])
}

/** `days` days before a date ("2026-03-10", 31 → "2026-02-07"), calendar arithmetic in UTC so no zone
 * or summer time moves it. */
export function daysBefore(day: string, days: number): string {
  const at = new Date(`${day}T00:00:00Z`)
  at.setUTCDate(at.getUTCDate() - days)
  return at.toISOString().slice(0, 10)
}

/** What the service itself said (its problem's title and detail), to show under the words: ops may need
 * WeChat Pay's own code to act. Empty for what is not a problem or says nothing the words do not. */
export function serviceSaid(caught: unknown, words: string): string {
  if (!(caught instanceof ApiError)) return ''
  const parts = [caught.problem.title, caught.problem.detail].filter(
    (part): part is string => typeof part === 'string' && part.trim() !== '' && part !== words,
  )
  return [...new Set(parts)].join(' — ')
}
