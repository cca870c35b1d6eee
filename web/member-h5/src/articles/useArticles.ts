/** Insurance knowledge (保险知识): articles notify-svc publishes, as a member reads them. */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'

export type Article = components['schemas']['PublicationRead']
export const CATEGORIES = ['claims_guide', 'renewal', 'safe_driving', 'policy_basics', 'other'] as const
export type ArticleCategory = (typeof CATEGORIES)[number]

export const articles = {
  page: (category: ArticleCategory | null, cursor?: string) =>
    must(api.GET('/api/v1/articles', { params: { query: { category, cursor, limit: 20 } } })),
  get: (id: string) => must(api.GET('/api/v1/articles/{item_id}', { params: { path: { item_id: id } } })),
}
