import { ApiError } from '@cheyou/api'
import { describe, expect, it } from 'vitest'
import { daysBefore, daysCsv, differencesCsv, gapFen, kindKey, serviceSaid, toCsv, yuanText } from './reconciliation'
import type { ReconciliationRead } from './usePayments'

const t = (key: string) => key.replace('payments.', '')

const run: ReconciliationRead = {
  bill_date: '2026-03-10',
  status: 'differences',
  trade_lines: 3,
  refund_lines: 1,
  matched: 2,
  differences: 2,
  run_by: 'ops1',
  reconciled_at: '2026-03-11T02:00:00Z',
  items: [
    {
      subject: 'trade',
      kind: 'missing_ours',
      out_trade_no: 'CY123',
      out_refund_no: null,
      ours_fen: null,
      theirs_fen: 1234,
    },
    {
      subject: 'refund',
      kind: 'amount_mismatch',
      out_trade_no: 'CY9',
      out_refund_no: 'RF9',
      ours_fen: 2000,
      theirs_fen: 1995,
    },
  ],
}

describe('a difference in words', () => {
  it('names its subject and kind, and the gap in fen when both sides have it', () => {
    expect(kindKey(run.items![0]!)).toBe('trade.missing_ours')
    expect(gapFen(run.items![0]!)).toBeNull()
    expect(gapFen(run.items![1]!)).toBe(-5)
  })
  it('writes fen as yuan with two decimals', () => {
    expect(yuanText(2000)).toBe('20.00')
    expect(yuanText(5)).toBe('0.05')
    expect(yuanText(-5)).toBe('-0.05')
    expect(yuanText(123456)).toBe('1234.56')
    expect(yuanText(null)).toBe('')
  })
})

describe('the CSV', () => {
  it('quotes what needs quoting and defuses formulas', () => {
    expect(toCsv([['a,b', 'say "hi"', 3, '=1+1']])).toBe('"a,b","say ""hi""",3,\'=1+1\r\n')
  })
  it('has a line per difference, amounts in yuan', () => {
    const lines = differencesCsv(run, t).trim().split('\r\n')
    expect(lines).toHaveLength(3)
    expect(lines[1]).toBe('2026-03-10,kinds.trade.missing_ours,CY123,,,12.34,')
    expect(lines[2]).toBe('2026-03-10,kinds.refund.amount_mismatch,CY9,RF9,20.00,19.95,-0.05')
  })
  it('has a line per day', () => {
    const lines = daysCsv([run], t, () => 'at')
      .trim()
      .split('\r\n')
    expect(lines[1]).toBe('2026-03-10,statuses.differences,3,1,2,2,ops1,at')
  })
})

describe('days and problems', () => {
  it('counts days back across months and leap days', () => {
    expect(daysBefore('2026-03-10', 30)).toBe('2026-02-08')
    expect(daysBefore('2024-03-01', 1)).toBe('2024-02-29')
  })
  it('keeps what the service said that the words do not', () => {
    const error = new ApiError(502, {
      status: 502,
      title: "WeChat Pay's bill could not be downloaded; try again later",
      detail: 'WeChat Pay: NO_STATEMENT_EXIST 账单不存在',
    })
    expect(serviceSaid(error, '微信支付的对账单暂时无法下载')).toBe(
      "WeChat Pay's bill could not be downloaded; try again later — WeChat Pay: NO_STATEMENT_EXIST 账单不存在",
    )
    expect(serviceSaid(new Error('x'), 'words')).toBe('')
    expect(serviceSaid(new ApiError(404, { status: 404, title: 'same' }), 'same')).toBe('')
  })
})
