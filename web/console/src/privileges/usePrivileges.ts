/** privilege-svc's catalogue for ops: every privilege with each tier's terms, new terms with a reason, history. */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'
import type { Tier } from '@/ops/vocabulary'

export type PrivilegeRead = components['schemas']['PrivilegeRead']
export type TermsRead = components['schemas']['TermsRead']
export type TermsUpdate = components['schemas']['TermsUpdate']

export function usePrivileges() {
  return {
    list: () => must(api.GET('/api/v1/privileges')),
    update: (code: string, tier: Tier, body: TermsUpdate) =>
      must(api.PUT('/api/v1/privileges/{code}/terms/{tier}', { params: { path: { code, tier } }, body })),
    history: (code: string, tier: Tier) =>
      must(api.GET('/api/v1/privileges/{code}/terms/{tier}/history', { params: { path: { code, tier } } })),
  }
}
