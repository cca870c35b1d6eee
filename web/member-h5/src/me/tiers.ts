/** The tiers in order, and what moving up one adds (from the catalogue's per-tier terms). */
import type { components } from '@cheyou/api'

export const TIERS = ['prospective', 'ordinary', 'three_star', 'four_star', 'five_star'] as const
export type Tier = (typeof TIERS)[number]

type Privilege = components['schemas']['PrivilegeRead']
type Terms = components['schemas']['TermsRead']

export function nextTier(tier: string): Tier | null {
  const index = TIERS.indexOf(tier as Tier)
  return index >= 0 && index < TIERS.length - 1 ? (TIERS[index + 1] ?? null) : null
}

function termsFor(privilege: Privilege, tier: string): Terms | undefined {
  return privilege.terms?.find((terms) => terms.tier === tier && !terms.superseded_at)
}

function priceOf(privilege: Privilege, terms: Terms | undefined): number | null {
  if (!terms || terms.mode === 'not_offered') return null
  if (terms.mode === 'free') return 0
  if (terms.mode === 'fixed_price') return terms.price_fen ?? privilege.list_price_fen
  return Math.round((privilege.list_price_fen * (100 - (terms.discount_pct ?? 0))) / 100)
}

/** Privileges the next tier offers that this one does not, or offers cheaper or more often. */
export function gainsAt(catalogue: Privilege[], from: string, to: string): Privilege[] {
  return catalogue.filter((privilege) => {
    const now = termsFor(privilege, from)
    const then = termsFor(privilege, to)
    const priceNow = priceOf(privilege, now)
    const priceThen = priceOf(privilege, then)
    if (priceThen === null) return false
    if (priceNow === null || priceThen < priceNow) return true
    const quotaNow = now?.quota ?? Infinity
    const quotaThen = then?.quota ?? Infinity
    return quotaThen > quotaNow
  })
}
