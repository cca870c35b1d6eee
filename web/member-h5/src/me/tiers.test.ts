import type { components } from '@cheyou/api'
import { describe, expect, it } from 'vitest'
import { gainsAt, nextTier } from './tiers'

type Privilege = components['schemas']['PrivilegeRead']
type Terms = components['schemas']['TermsRead']

function terms(tier: Terms['tier'], mode: Terms['mode'], extra: Partial<Terms> = {}): Terms {
  return {
    tier,
    mode,
    version: 1,
    discount_pct: null,
    price_fen: null,
    quota: null,
    period: 'year',
    points_price: 0,
    refund_after_acceptance_pct: 100,
    valid_from: null,
    valid_until: null,
    changed_by: 'ops1',
    reason: 'launch',
    created_at: '2026-01-01T00:00:00Z',
    superseded_at: null,
    ...extra,
  }
}

function privilege(code: string, list: number, ...tiers: Terms[]): Privilege {
  return {
    code,
    name: code,
    name_en: code,
    category: 'x',
    fulfilment: 'merchant',
    merchant_category: null,
    list_price_fen: list,
    required_fields: [],
    bookable: true,
    terms: tiers,
  }
}

describe('tiers', () => {
  it('knows the next tier', () => {
    expect(nextTier('prospective')).toBe('ordinary')
    expect(nextTier('four_star')).toBe('five_star')
    expect(nextTier('five_star')).toBeNull()
    expect(nextTier('unknown')).toBeNull()
  })

  it('lists what moving up adds: new, cheaper or more often', () => {
    const catalogue = [
      privilege('driving', 10000, terms('ordinary', 'not_offered'), terms('three_star', 'free', { quota: 2 })),
      privilege('wash', 5000, terms('ordinary', 'discount', { discount_pct: 20 }), terms('three_star', 'free')),
      privilege('rescue', 40000, terms('ordinary', 'free', { quota: 1 }), terms('three_star', 'free', { quota: 3 })),
      privilege('same', 3000, terms('ordinary', 'free'), terms('three_star', 'free')),
      privilege('gone', 3000, terms('ordinary', 'free'), terms('three_star', 'not_offered')),
      privilege('old', 3000, terms('three_star', 'free', { superseded_at: '2026-02-01T00:00:00Z' })),
    ]
    expect(gainsAt(catalogue, 'ordinary', 'three_star').map((p) => p.code)).toEqual(['driving', 'wash', 'rescue'])
  })
})
