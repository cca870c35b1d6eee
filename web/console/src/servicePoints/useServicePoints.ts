/** A merchant's service points (merchant-svc): ops manage every merchant's, a merchant_admin their own. */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'

export type ServicePoint = components['schemas']['ServicePointRead']
export type ServicePointCreate = components['schemas']['ServicePointCreate']
export type ServicePointUpdate = components['schemas']['ServicePointUpdate']
export type DayHours = components['schemas']['DayHours']
export type Offer = components['schemas']['Offer']
export type Category = NonNullable<ServicePointCreate['category']>

const path = (merchantId: string) => ({ path: { merchant_id: merchantId } })

/** Every point of the merchant (pages of 200 followed to the end: a merchant has tens, not thousands). */
export async function listPoints(merchantId: string): Promise<ServicePoint[]> {
  const found: ServicePoint[] = []
  let cursor: string | undefined
  do {
    const page = await must(
      api.GET('/api/v1/merchants/{merchant_id}/service-points', {
        params: { ...path(merchantId), query: { limit: 200, cursor } },
      }),
    )
    found.push(...page.items)
    cursor = page.next_cursor ?? undefined
  } while (cursor)
  return found
}

export function createPoint(merchantId: string, body: ServicePointCreate): Promise<ServicePoint> {
  return must(api.POST('/api/v1/merchants/{merchant_id}/service-points', { params: path(merchantId), body }))
}

export function updatePoint(merchantId: string, pointId: string, body: ServicePointUpdate): Promise<ServicePoint> {
  return must(
    api.PATCH('/api/v1/merchants/{merchant_id}/service-points/{point_id}', {
      params: { path: { merchant_id: merchantId, point_id: pointId } },
      body,
    }),
  )
}
