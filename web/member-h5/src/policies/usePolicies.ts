/** The member's policies (保单管理), as the core system's feed told member-svc. */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'
import { useRequest } from '@/shell/useRequest'

export type Policy = components['schemas']['PolicyRead']

export function usePolicies(memberId: () => string | null) {
  return useRequest(async () => {
    const id = memberId()
    const page = await must(
      api.GET('/api/v1/policies', { params: { query: { member_id: id ?? undefined, limit: 100 } } }),
    )
    return page.items
  })
}
