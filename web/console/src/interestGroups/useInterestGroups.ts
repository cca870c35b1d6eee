/** privilege-svc's interest groups for ops: create, upload or replace the WeChat group QR, archive, join counts. */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'

export type Group = components['schemas']['InterestGroupRead']
export type GroupCreate = components['schemas']['InterestGroupCreate']
export type Interest = GroupCreate['interests'][number]

/** The interests a group can gather (member-svc's, fishing included). */
export const GROUP_INTERESTS: Interest[] = [
  'self_drive',
  'fishing',
  'family',
  'photography',
  'travel',
  'sports',
  'food',
  'yoga',
  'badminton',
  'basketball',
  'charity',
  'cars',
  'movies',
  'lectures',
]

const one = (id: string) => ({ params: { path: { group_id: id } } })

export function useInterestGroups() {
  return {
    list: (cursor?: string) => must(api.GET('/api/v1/interest-groups', { params: { query: { cursor, limit: 20 } } })),
    create: (body: GroupCreate) => must(api.POST('/api/v1/interest-groups', { body })),
    archive: (id: string) => must(api.POST('/api/v1/interest-groups/{group_id}/archive', one(id))),
    replaceQr: (id: string, file: File, expiresAt: string | null) =>
      must(
        api.PUT('/api/v1/interest-groups/{group_id}/qr', {
          ...one(id),
          body: { file: '', expires_at: expiresAt },
          bodySerializer: () => {
            const form = new FormData()
            form.append('file', file, file.name || 'qr.png')
            if (expiresAt) form.append('expires_at', expiresAt)
            return form
          },
        }),
      ),
  }
}

/** A QR file the service takes: PNG or JPEG, at most 512 KiB (checked before sending). */
export function qrProblem(file: File | null): string | null {
  if (!file) return 'interestGroups.errors.file'
  if (!['image/png', 'image/jpeg'].includes(file.type)) return 'interestGroups.errors.type'
  if (file.size > 512 * 1024) return 'interestGroups.errors.size'
  return null
}
