/** member-svc's members as ops see them: masked search, tier and floor, manager, and the audited full read. */
import { must, type components, type operations } from '@cheyou/api'
import { api } from '@/api'

export type MemberRead = components['schemas']['MemberRead']
export type TierStatus = components['schemas']['TierStatus']
export type FloorSet = components['schemas']['FloorSet']
export type MemberPii = components['schemas']['MemberPii']

/** The search's filters as the route takes them (null: any). */
export type MemberFilters = Required<{
  [K in keyof MemberQuery as Exclude<K, 'cursor' | 'limit'>]-?: NonNullable<MemberQuery[K]> | null
}>
type MemberQuery = NonNullable<operations['search_api_v1_members_get']['parameters']['query']>

function path(memberId: string) {
  return { params: { path: { member_id: memberId } } }
}

export function useMembers() {
  return {
    search: (filters: MemberFilters, cursor?: string) =>
      must(api.GET('/api/v1/members', { params: { query: { ...filters, cursor, limit: 20 } } })),
    member: (memberId: string) => must(api.GET('/api/v1/members/{member_id}', path(memberId))),
    tier: (memberId: string) => must(api.GET('/api/v1/members/{member_id}/tier', path(memberId))),
    tierHistory: (memberId: string) => must(api.GET('/api/v1/members/{member_id}/tier-history', path(memberId))),
    setFloor: (memberId: string, body: FloorSet) =>
      must(api.PUT('/api/v1/members/{member_id}/tier-floor', { ...path(memberId), body })),
    liftFloor: (memberId: string, reason: string) =>
      must(
        api.DELETE('/api/v1/members/{member_id}/tier-floor', {
          params: { path: { member_id: memberId }, query: { reason } },
        }),
      ),
    managers: () => must(api.GET('/api/v1/managers')),
    assign: (memberId: string, managerId: string, reason: string) =>
      must(
        api.PUT('/api/v1/members/{member_id}/manager', { ...path(memberId), body: { manager_id: managerId, reason } }),
      ),
    managerHistory: (memberId: string) => must(api.GET('/api/v1/members/{member_id}/manager-history', path(memberId))),
    readPii: (memberId: string, purpose: string) =>
      must(
        api.GET('/api/v1/members/{member_id}/pii', { params: { path: { member_id: memberId }, query: { purpose } } }),
      ),
    piiReads: (memberId: string) => must(api.GET('/api/v1/members/{member_id}/pii-reads', path(memberId))),
  }
}
