/** The "Me" page's data: the gateway composes it from every service in one call. */
import { must } from '@cheyou/api'
import { api } from '@/api'
import { useRequest } from '@/shell/useRequest'

export function useMe() {
  return useRequest(() => must(api.GET('/api/v1/me')))
}
