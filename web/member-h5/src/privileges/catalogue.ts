/**
 * The catalogue as one member sees it: for each privilege, what their tier pays (free, a price) or why
 * they cannot book it (not offered at their tier: from which tier it is; quota used up this period;
 * not bookable online).
 */
import type { components } from '@cheyou/api'
import { TIERS } from '@/me/tiers'

export type Privilege = components['schemas']['PrivilegeRead']
export type Entitlement = components['schemas']['EntitlementRead']

export type Offer =
  | { kind: 'free'; entitlement: Entitlement }
  | { kind: 'priced'; entitlement: Entitlement; priceFen: number; discountPct: number | null }
  | { kind: 'unavailable'; reason: 'tier'; fromTier: string | null }
  | { kind: 'unavailable'; reason: 'quota'; entitlement: Entitlement }
  | { kind: 'unavailable'; reason: 'not-bookable' }

/** The lowest tier whose current terms offer the privilege. */
export function lowestTierOffering(privilege: Privilege): string | null {
  for (const tier of TIERS) {
    const terms = privilege.terms?.find((t) => t.tier === tier && !t.superseded_at)
    if (terms && terms.mode !== 'not_offered') return tier
  }
  return null
}

export function offerFor(privilege: Privilege, entitlements: Entitlement[]): Offer {
  const entitlement = entitlements.find((e) => e.privilege_code === privilege.code)
  if (!entitlement || entitlement.mode === 'not_offered') {
    return { kind: 'unavailable', reason: 'tier', fromTier: lowestTierOffering(privilege) }
  }
  if (!privilege.bookable || !entitlement.bookable) return { kind: 'unavailable', reason: 'not-bookable' }
  if (entitlement.remaining !== null && entitlement.remaining <= 0) {
    return { kind: 'unavailable', reason: 'quota', entitlement }
  }
  if (entitlement.mode === 'free' || entitlement.price_fen === 0) return { kind: 'free', entitlement }
  return { kind: 'priced', entitlement, priceFen: entitlement.price_fen, discountPct: entitlement.discount_pct }
}

/** Bookable first (free before priced), then the rest; the catalogue's order within each. */
export function sortedOffers(catalogue: Privilege[], entitlements: Entitlement[]) {
  const rank = { free: 0, priced: 1, unavailable: 2 } as const
  return catalogue
    .map((privilege, index) => ({ privilege, offer: offerFor(privilege, entitlements), index }))
    .sort((a, b) => rank[a.offer.kind] - rank[b.offer.kind] || a.index - b.index)
}
