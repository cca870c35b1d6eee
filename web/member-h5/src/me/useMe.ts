/**
 * The "Me" page's data: the gateway composes it from every service in one call (each part may be
 * missing when its service is slow: the page shows what came); the tier's progress and the catalogue
 * (what the next tier adds) come beside it and may fail on their own.
 */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'
import { useRequest } from '@/shell/useRequest'

export type MeRead = components['schemas']['MeRead']
export type TierStatus = components['schemas']['TierStatus']
export type Privilege = components['schemas']['PrivilegeRead']

export function useMe() {
  return useRequest(() => must(api.GET('/api/v1/me')))
}

export function useTierProgress(memberId: () => string | null) {
  return useRequest(async () => {
    const id = memberId()
    if (!id) return null
    const [tier, catalogue] = await Promise.all([
      must(api.GET('/api/v1/members/{member_id}/tier', { params: { path: { member_id: id } } })),
      must(api.GET('/api/v1/privileges')).then((page) => page.items),
    ])
    return { tier, catalogue }
  })
}

/** A list part of `/me` as records (the gateway passes the services' items through). */
export type Item = Record<string, unknown>

export function text(item: Item, key: string): string {
  const value = item[key]
  return typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value)
}
