/** notify-svc's outside feeds for ops: what the violation and weather providers sent, and replay. */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'

export type FeedItem = components['schemas']['FeedItemRead']
export type FeedProvider = components['schemas']['ProviderRead']
export type ProviderName = FeedItem['provider']
export type ItemStatus = FeedItem['status']

export function useFeeds() {
  return {
    list: (provider: ProviderName | null, status: ItemStatus | null, subject: string | null, cursor?: string) =>
      must(api.GET('/api/v1/feeds/items', { params: { query: { provider, status, subject, cursor, limit: 20 } } })),
    providers: () => must(api.GET('/api/v1/feeds/providers')),
    replay: (itemIds: string[]) => must(api.POST('/api/v1/feeds/replays', { body: { item_ids: itemIds, limit: 500 } })),
    pull: (provider: ProviderName) =>
      must(api.POST('/api/v1/feeds/providers/{provider}/pull', { params: { path: { provider } } })),
  }
}
