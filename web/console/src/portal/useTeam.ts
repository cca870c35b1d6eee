/** Our users (who signs in, with which role) and the API keys of our servers (admins only). */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'
import type { MerchantRole } from './access'

export type MerchantUser = components['schemas']['MerchantUserRead']
export type ApiKey = components['schemas']['ApiKeyRead']
export type ApiKeyIssued = components['schemas']['ApiKeyIssued']

const merchant = (merchantId: string) => ({ params: { path: { merchant_id: merchantId } } })

export async function users(merchantId: string): Promise<MerchantUser[]> {
  const found: MerchantUser[] = []
  let cursor: string | null = null
  do {
    const page: { items: MerchantUser[]; next_cursor?: string | null } = await must(
      api.GET('/api/v1/merchants/{merchant_id}/users', {
        params: { path: { merchant_id: merchantId }, query: cursor ? { cursor, limit: 100 } : { limit: 100 } },
      }),
    )
    found.push(...page.items)
    cursor = page.next_cursor ?? null
  } while (cursor)
  return found
}

export function addUser(merchantId: string, name: string, phone: string, role: MerchantRole): Promise<MerchantUser> {
  return must(
    api.POST('/api/v1/merchants/{merchant_id}/users', {
      ...merchant(merchantId),
      body: { name, role, phone: phone || null },
    }),
  )
}

export function setUserStatus(
  merchantId: string,
  userId: string,
  status: 'active' | 'disabled',
): Promise<MerchantUser> {
  return must(
    api.PATCH('/api/v1/merchants/{merchant_id}/users/{user_id}', {
      params: { path: { merchant_id: merchantId, user_id: userId } },
      body: { status },
    }),
  )
}

export function keys(merchantId: string): Promise<ApiKey[]> {
  return must(api.GET('/api/v1/merchants/{merchant_id}/api-keys', merchant(merchantId)))
}

export function issueKey(merchantId: string, label: string, userId: string | null): Promise<ApiKeyIssued> {
  return must(
    api.POST('/api/v1/merchants/{merchant_id}/api-keys', {
      ...merchant(merchantId),
      body: { label, merchant_user_id: userId },
    }),
  )
}

export function revokeKey(merchantId: string, keyId: string): Promise<ApiKey> {
  return must(
    api.POST('/api/v1/merchants/{merchant_id}/api-keys/{key_id}/revoke', {
      params: { path: { merchant_id: merchantId, key_id: keyId } },
    }),
  )
}

/** A key in force: neither revoked nor past its expiry. */
export function keyInForce(key: ApiKey, now: number = Date.now()): boolean {
  return !key.revoked_at && (!key.expires_at || Date.parse(key.expires_at) > now)
}
