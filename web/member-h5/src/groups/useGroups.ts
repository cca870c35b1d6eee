/**
 * Interest groups on privilege-svc: the WeChat groups of my interests, their group QR (an image while it is
 * valid; 410 once expired) and joining (counted once).
 */
import { ApiError, must, type components } from '@cheyou/api'
import { api } from '@/api'

export type Group = components['schemas']['InterestGroupRead']

const one = (id: string) => ({ params: { path: { group_id: id } } })

export const groups = {
  list: () => must(api.GET('/api/v1/interest-groups', { params: { query: { limit: 50 } } })),
  join: (id: string) => must(api.POST('/api/v1/interest-groups/{group_id}/joins', one(id))),
  /** The group QR as an object URL (the caller revokes it). */
  async qr(id: string): Promise<string> {
    const { data, error, response } = await api.GET('/api/v1/interest-groups/{group_id}/qr', {
      ...one(id),
      parseAs: 'blob',
    })
    if (error !== undefined || !(data instanceof Blob))
      throw new ApiError(response.status, { status: response.status, ...(error as object) })
    return URL.createObjectURL(data)
  },
}
