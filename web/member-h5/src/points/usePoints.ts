/** The member's points on privilege-svc: balance with what expires when, and the ledger. */
import { must, type components } from '@cheyou/api'
import { api, tokens } from '@/api'

export type Entry = components['schemas']['EntryRead']
export type Filter = 'all' | 'earned' | 'redeemed' | 'expired'

function me(): string {
  const id = tokens.session?.memberId
  if (!id) throw new Error('not signed in as a member')
  return id
}

export const points = {
  balance: () => must(api.GET('/api/v1/points/{member_id}', { params: { path: { member_id: me() } } })),
  entries: (cursor?: string) =>
    must(
      api.GET('/api/v1/points/{member_id}/entries', {
        params: { path: { member_id: me() }, query: { cursor, limit: 50 } },
      }),
    ),
}

/** Which history tab an entry belongs to. */
export function kindOf(entry: Pick<Entry, 'direction' | 'reason'>): Exclude<Filter, 'all'> | 'other' {
  if (entry.reason === 'expiry') return 'expired'
  if (entry.direction === 'credit') return 'earned'
  if (entry.reason === 'redemption' || entry.reason === 'order_payment' || entry.reason === 'activity')
    return 'redeemed'
  return 'other'
}
