import { describe, expect, it } from 'vitest'
import {
  cashFen,
  emptyRewardForm,
  redemptionActions,
  rewardBody,
  saleState,
  shanghaiInstant,
  validateReward,
} from './rewardForm'

const filled = () => ({
  ...emptyRewardForm(true),
  name: ' 精品洗车一次 ',
  kind: 'service' as const,
  prices: { three_star: 100, five_star: 60 },
  stock: 20,
  startsAt: '2026-12-08T10:00:00',
})

describe('the reward form', () => {
  it('reads Shanghai wall-clock time as an instant at +08:00', () => {
    expect(shanghaiInstant('2026-12-08T10:00')).toBe('2026-12-08T10:00:00+08:00')
    expect(shanghaiInstant('2026-12-08 10:00:30')).toBe('2026-12-08T10:00:30+08:00')
    expect(shanghaiInstant('tomorrow')).toBeNull()
    expect(new Date(shanghaiInstant('2026-12-08T10:00')!).toISOString()).toBe('2026-12-08T02:00:00.000Z')
  })

  it('refuses before sending what the service would refuse', () => {
    expect(validateReward(emptyRewardForm(true), true)).toMatchObject({
      name: 'name',
      kind: 'kind',
      prices: 'tiers',
      stock: 'stock',
      startsAt: 'startsAt',
    })
    expect(validateReward({ ...filled(), prices: { three_star: 0 } }, true).prices).toBe('points')
    expect(validateReward({ ...filled(), endsAt: '2026-12-08T09:00:00' }, true).endsAt).toBe('endsAfterStart')
    expect(validateReward({ ...filled(), kind: 'coupon' }, true)).toMatchObject({
      merchantId: 'merchant',
      couponBatchId: 'batch',
    })
    expect(validateReward(filled(), true)).toEqual({})
    expect(validateReward({ ...filled(), startsAt: null }, false)).toEqual({})
  })

  it('sends only the tiers that may redeem, in points, and no batch for what is not a coupon', () => {
    const body = rewardBody({ ...filled(), couponBatchId: 'stale', prices: { three_star: 100, four_star: null } })
    expect(body).toMatchObject({
      name: '精品洗车一次',
      kind: 'service',
      tier_prices: { three_star: 100 },
      stock: 20,
      per_member_limit: 1,
      coupon_batch_id: null,
      starts_at: '2026-12-08T10:00:00+08:00',
      ends_at: null,
    })
  })
})

describe('the cash part of a points + cash reward', () => {
  it('reads yuan as integer fen, nothing typed as points only', () => {
    expect(cashFen('9.9')).toBe(990)
    expect(cashFen('9.90')).toBe(990)
    expect(cashFen(' 0.01 ')).toBe(1)
    expect(cashFen('1,234.56')).toBe(123456)
    expect(cashFen('¥20')).toBe(2000)
    expect(cashFen('0.29')).toBe(29) // not 28.999…: no float arithmetic on the way
    expect(cashFen('')).toBe(0)
    expect(cashFen('0')).toBe(0)
    expect(cashFen('9.999')).toBeNull()
    expect(cashFen('-1')).toBeNull()
    expect(cashFen('九块九')).toBeNull()
  })

  it('refuses what is not an amount or more than the service takes', () => {
    expect(validateReward({ ...filled(), cash: '9.999' }, true).cash).toBe('cash')
    expect(validateReward({ ...filled(), cash: 'abc' }, true).cash).toBe('cash')
    expect(validateReward({ ...filled(), cash: '100000.01' }, true).cash).toBe('cashMax')
    expect(validateReward({ ...filled(), cash: '100000' }, true).cash).toBeUndefined()
    expect(validateReward({ ...filled(), cash: '' }, true)).toEqual({})
  })

  it('sends the cash in fen, and 0 for points only', () => {
    expect(rewardBody({ ...filled(), cash: '29.90' }).cash_price_fen).toBe(2990)
    expect(rewardBody({ ...filled(), cash: '' }).cash_price_fen).toBe(0)
    expect(rewardBody({ ...filled(), cash: '0.00' }).cash_price_fen).toBe(0)
  })
})

describe('a flash sale at a moment', () => {
  const now = new Date('2026-12-08T02:30:00Z')
  it('is scheduled, live, sold out or over', () => {
    expect(saleState({ stock: 5, starts_at: '2026-12-08T03:00:00Z' }, now)).toBe('scheduled')
    expect(saleState({ stock: 5, starts_at: '2026-12-08T02:00:00Z' }, now)).toBe('live')
    expect(saleState({ stock: 0, starts_at: '2026-12-08T02:00:00Z' }, now)).toBe('soldOut')
    expect(saleState({ stock: 5, starts_at: '2026-12-08T01:00:00Z', ends_at: '2026-12-08T02:00:00Z' }, now)).toBe(
      'ended',
    )
    expect(saleState({ stock: 5 }, now)).toBe('always')
  })
  it('offers the next steps of a redemption', () => {
    expect(redemptionActions('redeemed', 'goods')).toEqual(['shipped', 'cancelled'])
    expect(redemptionActions('redeemed', 'service')).toEqual(['delivered', 'cancelled'])
    expect(redemptionActions('redeemed', 'coupon')).toEqual([])
    expect(redemptionActions('shipped', 'goods')).toEqual(['delivered'])
    expect(redemptionActions('refunded', 'coupon')).toEqual([])
  })
})
