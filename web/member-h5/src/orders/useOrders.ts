/** The member's service orders: the list, one order (followed while it moves), cancel, rate, complain. */
import { must, type components } from '@cheyou/api'
import { onUnmounted, ref, shallowRef } from 'vue'
import { api } from '@/api'
import { useRequest } from '@/shell/useRequest'
import { inProgress } from './timeline'

export type Order = components['schemas']['OrderRead']
export type ComplaintCreate = components['schemas']['ComplaintCreate']

/** Ask again this often while an order is on its way (the merchant's steps arrive by events). */
export const FOLLOW_MS = 8000

export function useOrder(id: () => string) {
  const request = useRequest(() => must(api.GET('/api/v1/orders/{order_id}', { params: { path: { order_id: id() } } })))
  let timer: ReturnType<typeof setTimeout> | undefined
  async function follow() {
    clearTimeout(timer)
    if (document.visibilityState === 'visible') await request.reload().catch(() => undefined)
    if (request.data.value && inProgress(request.data.value)) timer = setTimeout(() => void follow(), FOLLOW_MS)
  }
  timer = setTimeout(() => void follow(), FOLLOW_MS)
  onUnmounted(() => clearTimeout(timer))

  const path = () => ({ params: { path: { order_id: id() } } })
  return {
    ...request,
    async cancel(reason: string) {
      request.data.value = await must(api.POST('/api/v1/orders/{order_id}/cancel', { ...path(), body: { reason } }))
    },
    async rate(stars: number, comment: string) {
      request.data.value = await must(
        api.POST('/api/v1/orders/{order_id}/rating', { ...path(), body: { stars, comment: comment || null } }),
      )
    },
    async complain(body: ComplaintCreate) {
      return must(api.POST('/api/v1/orders/{order_id}/complaints', { ...path(), body }))
    },
  }
}

export function useOrderList() {
  const items = shallowRef<Order[]>([])
  const cursor = ref<string | null>(null)
  const request = useRequest(async () => {
    const page = await must(api.GET('/api/v1/orders', { params: { query: { limit: 20 } } }))
    items.value = page.items
    cursor.value = page.next_cursor ?? null
    return page
  })
  const more = ref(false)
  async function loadMore() {
    if (!cursor.value) return
    more.value = true
    try {
      const page = await must(api.GET('/api/v1/orders', { params: { query: { limit: 20, cursor: cursor.value } } }))
      items.value = [...items.value, ...page.items]
      cursor.value = page.next_cursor ?? null
    } finally {
      more.value = false
    }
  }
  return { ...request, items, cursor, more, loadMore }
}
