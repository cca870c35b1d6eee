/** merchant-svc's coupons for ops: batches (create, issue), the points mall's coupon redemptions, and the
 * reconciliation of a merchant's period. */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'

export type BatchRead = components['schemas']['BatchRead']
export type BatchCreate = components['schemas']['BatchCreate']
export type MallRedemptionRead = components['schemas']['MallRedemptionRead']
export type Reconciliation = components['schemas']['Reconciliation']

export function useCoupons() {
  return {
    merchants: () => must(api.GET('/api/v1/merchants', { params: { query: { limit: 100 } } })),
    batches: (merchantId: string | null) =>
      must(api.GET('/api/v1/coupons/batches', { params: { query: { merchant_id: merchantId } } })),
    create: (body: BatchCreate) => must(api.POST('/api/v1/coupons/batches', { body })),
    issue: (batchId: string, memberIds: string[]) =>
      must(
        api.POST('/api/v1/coupons/batches/{batch_id}/issue', {
          params: { path: { batch_id: batchId } },
          body: { member_ids: memberIds, source: 'ops' },
        }),
      ),
    mallRedemptions: (refusedOnly: boolean, cursor?: string) =>
      must(
        api.GET('/api/v1/coupons/mall-redemptions', {
          params: { query: { refused_only: refusedOnly, cursor, limit: 20 } },
        }),
      ),
    reconciliation: (merchantId: string, since: string, until: string) =>
      must(
        api.GET('/api/v1/coupons/reconciliation', {
          params: { query: { merchant_id: merchantId, since, until } },
        }),
      ),
  }
}
