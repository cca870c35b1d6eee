import { describe, expect, it } from 'vitest'
import { offerFor, sortedOffers, type Entitlement, type Privilege } from './catalogue'

const privilege = (code: string, tiers: [string, string][], bookable = true): Privilege =>
  ({
    code,
    name: code,
    name_en: code,
    category: 'x',
    fulfilment: 'merchant',
    merchant_category: null,
    list_price_fen: 10000,
    required_fields: [],
    bookable,
    terms: tiers.map(([tier, mode]) => ({ tier, mode, superseded_at: null })),
  }) as unknown as Privilege

const entitlement = (code: string, extra: Partial<Entitlement> = {}): Entitlement =>
  ({
    privilege_code: code,
    name: code,
    bookable: true,
    mode: 'free',
    price_fen: 0,
    discount_pct: null,
    remaining: 3,
    quota: 3,
    used: 0,
    ...extra,
  }) as Entitlement

describe('offerFor', () => {
  it('is free, priced or unavailable with its reason', () => {
    const driving = privilege('driving', [
      ['ordinary', 'not_offered'],
      ['three_star', 'free'],
    ])
    expect(offerFor(driving, [])).toEqual({ kind: 'unavailable', reason: 'tier', fromTier: 'three_star' })
    expect(offerFor(driving, [entitlement('driving')]).kind).toBe('free')
    expect(
      offerFor(driving, [entitlement('driving', { mode: 'discount', price_fen: 8000, discount_pct: 20 })]),
    ).toMatchObject({
      kind: 'priced',
      priceFen: 8000,
      discountPct: 20,
    })
    expect(offerFor(driving, [entitlement('driving', { remaining: 0 })])).toMatchObject({
      kind: 'unavailable',
      reason: 'quota',
    })
    expect(offerFor(privilege('desk', [['ordinary', 'free']], false), [entitlement('desk')])).toEqual({
      kind: 'unavailable',
      reason: 'not-bookable',
    })
  })
  it('puts what the member can book first', () => {
    const offers = sortedOffers(
      [privilege('a', []), privilege('b', [['ordinary', 'free']]), privilege('c', [['ordinary', 'discount']])],
      [entitlement('b'), entitlement('c', { mode: 'discount', price_fen: 100 })],
    )
    expect(offers.map((o) => o.privilege.code)).toEqual(['b', 'c', 'a'])
  })
})
