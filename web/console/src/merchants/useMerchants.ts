/** merchant-svc for ops: onboarding, status, contracts, users, API keys (the key itself only in the answer
 * that issues it), scorecards. */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'

export type MerchantRead = components['schemas']['MerchantRead']
export type MerchantCreate = components['schemas']['MerchantCreate']
export type ContractCreate = components['schemas']['ContractCreate']
export type MerchantUserCreate = components['schemas']['MerchantUserCreate']
export type MerchantStatus = components['schemas']['MerchantStatus']
export type MerchantRole = components['schemas']['MerchantRole']
export type ApiKeyIssued = components['schemas']['ApiKeyIssued']

const one = (id: string) => ({ params: { path: { merchant_id: id } } })

export function useMerchants() {
  return {
    list: (status: MerchantStatus | null, cursor?: string) =>
      must(api.GET('/api/v1/merchants', { params: { query: { status, cursor, limit: 20 } } })),
    create: (body: MerchantCreate) => must(api.POST('/api/v1/merchants', { body })),
    get: (id: string) => must(api.GET('/api/v1/merchants/{merchant_id}', one(id))),
    setStatus: (id: string, status: MerchantStatus, reason: string) =>
      must(api.POST('/api/v1/merchants/{merchant_id}/status', { ...one(id), body: { status, reason } })),
    contracts: (id: string) => must(api.GET('/api/v1/merchants/{merchant_id}/contracts', one(id))),
    sign: (id: string, body: ContractCreate) =>
      must(api.POST('/api/v1/merchants/{merchant_id}/contracts', { ...one(id), body })),
    users: (id: string, cursor?: string) =>
      must(
        api.GET('/api/v1/merchants/{merchant_id}/users', {
          params: { path: { merchant_id: id }, query: { cursor, limit: 50 } },
        }),
      ),
    addUser: (id: string, body: MerchantUserCreate) =>
      must(api.POST('/api/v1/merchants/{merchant_id}/users', { ...one(id), body })),
    updateUser: (
      id: string,
      userId: string,
      body: { role?: MerchantRole | null; status?: 'active' | 'disabled' | null },
    ) =>
      must(
        api.PATCH('/api/v1/merchants/{merchant_id}/users/{user_id}', {
          params: { path: { merchant_id: id, user_id: userId } },
          body: { role: body.role ?? null, status: body.status ?? null },
        }),
      ),
    keys: (id: string) => must(api.GET('/api/v1/merchants/{merchant_id}/api-keys', one(id))),
    issueKey: (id: string, label: string, userId: string | null) =>
      must(
        api.POST('/api/v1/merchants/{merchant_id}/api-keys', {
          ...one(id),
          body: { label, merchant_user_id: userId },
        }),
      ),
    rotateKey: (id: string, keyId: string) =>
      must(
        api.POST('/api/v1/merchants/{merchant_id}/api-keys/{key_id}/rotate', {
          params: { path: { merchant_id: id, key_id: keyId } },
        }),
      ),
    revokeKey: (id: string, keyId: string) =>
      must(
        api.POST('/api/v1/merchants/{merchant_id}/api-keys/{key_id}/revoke', {
          params: { path: { merchant_id: id, key_id: keyId } },
        }),
      ),
    scorecard: (id: string) => must(api.GET('/api/v1/merchants/{merchant_id}/scorecard', one(id))),
  }
}
