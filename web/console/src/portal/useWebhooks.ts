/** Our webhook endpoints (the merchant's IT person): adding them, their health, signing secrets and rotation, and the delivery log. */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'

export type Endpoint = components['schemas']['EndpointRead']
export type EndpointCreated = components['schemas']['EndpointCreated']
export type Secret = components['schemas']['SecretRead']
export type Attempt = components['schemas']['AttemptRead']
export type Message = components['schemas']['MessageRead']
export type MessageDetail = components['schemas']['MessageDetail']
export type EventType = components['schemas']['WebhookEventType']

export const EVENT_TYPES: EventType[] = ['order.dispatched', 'order.cancelled']

/** How long the old secret keeps signing beside the new one after a rotation (the service's default: a day). */
export const OVERLAP_CHOICES = [0, 3600, 86_400, 3 * 86_400, 7 * 86_400] as const
export const DEFAULT_OVERLAP = 86_400

const endpoint = (id: string) => ({ params: { path: { endpoint_id: id } } })

export function endpoints(): Promise<Endpoint[]> {
  return must(api.GET('/api/v1/webhook-endpoints'))
}

export function getEndpoint(id: string): Promise<Endpoint> {
  return must(api.GET('/api/v1/webhook-endpoints/{endpoint_id}', endpoint(id)))
}

export function addEndpoint(merchantId: string, url: string, description: string, eventTypes: EventType[]) {
  return must(
    api.POST('/api/v1/webhook-endpoints', {
      body: { merchant_id: merchantId, url, description: description || null, event_types: eventTypes },
    }),
  )
}

export function setEnabled(id: string, enabled: boolean): Promise<Endpoint> {
  return enabled
    ? must(api.POST('/api/v1/webhook-endpoints/{endpoint_id}/enable', endpoint(id)))
    : must(api.POST('/api/v1/webhook-endpoints/{endpoint_id}/disable', endpoint(id)))
}

export function secrets(id: string): Promise<Secret[]> {
  return must(api.GET('/api/v1/webhook-endpoints/{endpoint_id}/secrets', endpoint(id)))
}

export function rotate(id: string, overlapSeconds: number): Promise<Secret> {
  return must(
    api.POST('/api/v1/webhook-endpoints/{endpoint_id}/secrets/rotate', {
      ...endpoint(id),
      body: { overlap_seconds: overlapSeconds },
    }),
  )
}

export async function attempts(id: string, cursor: string | null) {
  const page = await must(
    api.GET('/api/v1/webhook-endpoints/{endpoint_id}/attempts', {
      params: { path: { endpoint_id: id }, query: cursor ? { cursor: Number(cursor), limit: 20 } : { limit: 20 } },
    }),
  )
  return { items: page.items, next: page.next_cursor ?? null }
}

export async function messages(cursor: string | null) {
  const page = await must(
    api.GET('/api/v1/webhook-messages', { params: { query: cursor ? { cursor, limit: 20 } : { limit: 20 } } }),
  )
  return { items: page.items, next: page.next_cursor ?? null }
}

export function message(id: string): Promise<MessageDetail> {
  return must(api.GET('/api/v1/webhook-messages/{message_id}', { params: { path: { message_id: id } } }))
}

/** A secret as shown until someone asks to see it: its prefix and last four characters. */
export function maskSecret(secret: string): string {
  return secret.length <= 14 ? '••••' : `${secret.slice(0, 10)}••••••••${secret.slice(-4)}`
}

type Translate = (key: string) => string
/** A message type in words ("order.dispatched" → 新订单派单); a type newer than the portal is shown as it is. */
export function eventNameOf(type: string | undefined, t: Translate, te: (key: string) => boolean): string {
  const key = `portal.webhooks.eventNames.${(type ?? '').replace(/\./g, '_')}`
  return type && te(key) ? t(key) : (type ?? '')
}
