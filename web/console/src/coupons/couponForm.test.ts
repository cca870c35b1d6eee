import { describe, expect, it } from 'vitest'
import { batchBody, batchState, emptyBatchForm, memberIds, reconciliationCsv, validateBatch } from './couponForm'

const form = () => ({
  ...emptyBatchForm('m1'),
  title: '洗车立减 20 元',
  kind: 'amount_off' as const,
  amountYuan: '20',
  validFrom: '2026-12-08T00:00',
  validUntil: '2027-01-08T00:00',
  quantity: 500,
})

describe('a coupon batch', () => {
  it('refuses before sending what merchant-svc would refuse', () => {
    expect(validateBatch(emptyBatchForm())).toMatchObject({ merchantId: 'merchant', title: 'title', kind: 'kind' })
    expect(validateBatch({ ...form(), amountYuan: '20.555' }).amountYuan).toBe('amount')
    expect(validateBatch({ ...form(), kind: 'percent_off', percentOff: 100 }).percentOff).toBe('percent')
    expect(validateBatch({ ...form(), validUntil: '2026-12-07T00:00' }).validUntil).toBe('untilAfterFrom')
    expect(validateBatch(form())).toEqual({})
  })
  it('sends the amount in fen and only its kind’s value, at Shanghai times', () => {
    expect(batchBody({ ...form(), percentOff: 10, service: '洗车' })).toMatchObject({
      amount_off_fen: 2000,
      percent_off: null,
      service: null,
      valid_from: '2026-12-08T00:00:00+08:00',
    })
  })
  it('is upcoming, active, exhausted or expired', () => {
    const now = new Date('2026-12-10T00:00:00Z')
    const b = { valid_from: '2026-12-08T00:00:00Z', valid_until: '2027-01-08T00:00:00Z', quantity: 10, issued_count: 3 }
    expect(batchState(b, now)).toBe('active')
    expect(batchState({ ...b, issued_count: 10 }, now)).toBe('exhausted')
    expect(batchState({ ...b, valid_from: '2026-12-11T00:00:00Z' }, now)).toBe('upcoming')
    expect(batchState({ ...b, valid_until: '2026-12-09T00:00:00Z' }, now)).toBe('expired')
  })
  it('reads pasted member ids and names what is not one', () => {
    const id = '0b8f6a0e-3c1d-4f7e-9a52-1d2e3f405060'
    expect(memberIds(`${id}\n${id.toUpperCase()}, 13800000000`)).toEqual({ ids: [id], bad: ['13800000000'] })
  })
  it('exports the reconciliation in yuan', () => {
    const csv = reconciliationCsv(
      [{ title: '立减, 20', kind: 'amount_off', issued: 5, redeemed: 2, amount_off_fen: 4000 }],
      ['批次', '类型', '发放', '核销', '核销面值（元）'],
      () => '立减',
    )
    expect(csv).toBe('批次,类型,发放,核销,核销面值（元）\r\n"立减, 20",立减,5,2,40.00\r\n')
  })
})
