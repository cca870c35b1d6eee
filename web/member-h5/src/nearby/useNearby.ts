/** Service points near the member: the search (nearest first, a page at a time) and one point. */
import { must, type components } from '@cheyou/api'
import { ref, shallowRef } from 'vue'
import { api } from '@/api'
import { useRequest } from '@/shell/useRequest'

export type NearbyPoint = components['schemas']['NearbyServicePoint']
export type PublicPoint = components['schemas']['PublicServicePoint']
export type Category = NonNullable<components['schemas']['ServicePointCreate']['category']>

export const CATEGORIES: Category[] = ['car_wash', 'rescue', 'designated_driving', 'car_affairs', 'retail']
export const RADII_KM = [3, 5, 10, 20, 50] as const

/** The open / closed tag's colour: white text on it reads at 4.5:1 or better. */
export function stateColor(open: boolean): string {
  return open ? '#067647' : '#667085'
}

export interface Search {
  lat: number
  lng: number
  coordsys: 'wgs84' | 'gcj02'
  category: Category | null
  openNow: boolean
  radiusKm: number
}

export function useNearby(search: () => Search | null) {
  const cursor = ref<string | null>(null)
  const more = shallowRef<NearbyPoint[]>([])

  async function page(after: string | null) {
    const where = search()
    if (!where) return { items: [] as NearbyPoint[], next_cursor: null }
    return must(
      api.GET('/api/v1/service-points/nearby', {
        params: {
          query: {
            lat: where.lat,
            lng: where.lng,
            coordsys: where.coordsys,
            radius_m: where.radiusKm * 1000,
            open_now: where.openNow,
            limit: 30,
            ...(where.category ? { category: where.category } : {}),
            ...(after ? { cursor: after } : {}),
          },
        },
      }),
    )
  }

  const request = useRequest(
    async () => {
      const first = await page(null)
      more.value = []
      cursor.value = first.next_cursor ?? null
      return first.items
    },
    { immediate: false },
  )

  return {
    ...request,
    more,
    hasMore: () => cursor.value !== null,
    async loadMore() {
      const next = await page(cursor.value)
      more.value = [...more.value, ...next.items]
      cursor.value = next.next_cursor ?? null
    },
  }
}

export function usePoint(id: () => string) {
  return useRequest(() => must(api.GET('/api/v1/service-points/{point_id}', { params: { path: { point_id: id() } } })))
}
