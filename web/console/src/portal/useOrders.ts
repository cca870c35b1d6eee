/** Orders dispatched to us (the merchant API): the lists a dispatcher works from, one order, and each step. */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'
import type { OrderAction } from './access'

export type Order = components['schemas']['MerchantOrderRead']
export type OrderDetail = components['schemas']['MerchantOrderDetail']
export type HistoryEntry = components['schemas']['HistoryEntryRead']
type ListStatus = components['schemas']['FulfilmentStatus']

export interface OrderPage {
  items: Order[]
  next: string | null
}

/** What a step needs: a reason to reject or fail, notes and photo links to complete. */
export interface StepInput {
  reason?: string
  notes?: string
  photos?: string[]
  appointmentAt?: string | null
}

async function page(status: ListStatus | undefined, cursor: string | null = null, limit = 50): Promise<OrderPage> {
  const data = await must(
    api.GET('/api/v1/merchant-api/orders', {
      params: { query: { ...(status ? { status } : {}), ...(cursor ? { cursor } : {}), limit } },
    }),
  )
  return { items: data.items, next: data.next_cursor ?? null }
}

/** Orders waiting for us to accept, soonest deadline first. */
export async function newOrders(): Promise<Order[]> {
  const { items } = await page('dispatched', null, 100)
  const due = (order: Order) => (order.accept_due_at ? Date.parse(order.accept_due_at) : Infinity)
  return items.sort((a, b) => due(a) - due(b))
}

/** Orders we accepted and have not finished, by when they are due. */
export async function ordersInHand(): Promise<Order[]> {
  const pages = await Promise.all((['accepted', 'arrived', 'in_service'] as const).map((s) => page(s, null, 100)))
  const due = (order: Order) => Date.parse(order.complete_due_at ?? order.accepted_at ?? order.dispatched_at ?? '')
  return pages.flatMap((p) => p.items).sort((a, b) => due(a) - due(b))
}

/** Every order of ours, oldest first, a page at a time. */
export function allOrders(cursor: string | null): Promise<OrderPage> {
  return page(undefined, cursor)
}

export function order(orderId: string): Promise<OrderDetail> {
  return must(api.GET('/api/v1/merchant-api/orders/{order_id}', { params: { path: { order_id: orderId } } }))
}

export function step(orderId: string, action: OrderAction, input: StepInput = {}): Promise<Order> {
  const path = { order_id: orderId }
  switch (action) {
    case 'accept':
      return must(
        api.POST('/api/v1/merchant-api/orders/{order_id}/accept', {
          params: { path },
          body: input.appointmentAt ? { appointment_at: input.appointmentAt } : {},
        }),
      )
    case 'reject':
      return must(
        api.POST('/api/v1/merchant-api/orders/{order_id}/reject', {
          params: { path },
          body: { reason: input.reason ?? '' },
        }),
      )
    case 'arrive':
      return must(api.POST('/api/v1/merchant-api/orders/{order_id}/arrive', { params: { path } }))
    case 'start':
      return must(api.POST('/api/v1/merchant-api/orders/{order_id}/start', { params: { path } }))
    case 'complete':
      return must(
        api.POST('/api/v1/merchant-api/orders/{order_id}/complete', {
          params: { path },
          body: { notes: input.notes ?? '', photos: input.photos ?? [] },
        }),
      )
    case 'fail':
      return must(
        api.POST('/api/v1/merchant-api/orders/{order_id}/fail', {
          params: { path },
          body: { reason: input.reason ?? '' },
        }),
      )
  }
}

type Translate = (key: string) => string
/** The service's name: the member's booking names it; else our catalogue's words for its code. */
export function serviceName(order: Order, t: Translate, te: (key: string) => boolean): string {
  const named = (order.details as Record<string, unknown>).privilege_name
  if (typeof named === 'string' && named) return named
  const key = `portal.privileges.${order.privilege_id}`
  return te(key) ? t(key) : order.privilege_id
}
