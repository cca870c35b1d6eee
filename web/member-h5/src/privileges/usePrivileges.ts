/** The privilege catalogue and this member's entitlements (price and quota left at their tier). */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'
import { useRequest } from '@/shell/useRequest'
import type { Entitlement, Privilege } from './catalogue'

let catalogue: Promise<Privilege[]> | null = null

/** The catalogue, fetched once per page load (it is small and changes rarely). */
export function loadCatalogue(): Promise<Privilege[]> {
  catalogue ??= must(api.GET('/api/v1/privileges'))
    .then((page) => page.items)
    .catch((error: unknown) => {
      catalogue = null
      throw error
    })
  return catalogue
}

export function useOffers(memberId: () => string | null) {
  return useRequest(async () => {
    const id = memberId() ?? ''
    const [privileges, entitlements] = await Promise.all([
      loadCatalogue(),
      must(api.GET('/api/v1/entitlements/{member_id}', { params: { path: { member_id: id } } })),
    ])
    return { privileges, entitlements: entitlements.items as Entitlement[], tier: entitlements.tier }
  })
}

export type OrderCreate = components['schemas']['OrderCreate']
