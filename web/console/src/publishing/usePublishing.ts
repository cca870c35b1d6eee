/** notify-svc's central publishing for editors: publications (messages) and articles alike. */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'
import type { Kind, Status } from './lifecycle'

export type PublicationRead = components['schemas']['PublicationRead']
export type PublishRequest = components['schemas']['PublishRequest']

const one = (id: string) => ({ params: { path: { item_id: id } } })

export function usePublishing(kind: Kind) {
  if (kind === 'publications')
    return {
      list: (status: Status | null, cursor?: string) =>
        must(api.GET('/api/v1/publications', { params: { query: { status, cursor, limit: 20 } } })),
      create: (body: components['schemas']['MessageCreate']) => must(api.POST('/api/v1/publications', { body })),
      approve: (id: string) => must(api.POST('/api/v1/publications/{item_id}/approve', one(id))),
      publish: (id: string, body: PublishRequest) =>
        must(api.POST('/api/v1/publications/{item_id}/publish', { ...one(id), body })),
      withdraw: (id: string) => must(api.POST('/api/v1/publications/{item_id}/withdraw', one(id))),
      shares: (id: string) => must(api.GET('/api/v1/publications/{item_id}/shares', one(id))),
    }
  return {
    list: (status: Status | null, cursor?: string) =>
      must(api.GET('/api/v1/articles', { params: { query: { status, cursor, limit: 20 } } })),
    create: (body: components['schemas']['ArticleCreate']) => must(api.POST('/api/v1/articles', { body })),
    approve: (id: string) => must(api.POST('/api/v1/articles/{item_id}/approve', one(id))),
    publish: (id: string, body: PublishRequest) =>
      must(api.POST('/api/v1/articles/{item_id}/publish', { ...one(id), body })),
    withdraw: (id: string) => must(api.POST('/api/v1/articles/{item_id}/withdraw', one(id))),
    shares: (id: string) => must(api.GET('/api/v1/articles/{item_id}/shares', one(id))),
  }
}
