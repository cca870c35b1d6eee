/** The member's inbox and message preferences on notify-svc (through the gateway). */
import { must, type components } from '@cheyou/api'
import { api, tokens } from '@/api'

export type InboxItem = components['schemas']['InboxItemRead']
export type Preferences = components['schemas']['PreferencesRead']
export type Category = 'service' | 'reminder' | 'marketing'
export type Channel = 'wechat' | 'sms' | 'inbox'

function me(): string {
  const id = tokens.session?.memberId
  if (!id) throw new Error('not signed in as a member')
  return id
}

export const inbox = {
  page: (view: 'inbox' | 'unread', cursor?: string) =>
    must(
      api.GET('/api/v1/inbox/{member_id}', {
        params: { path: { member_id: me() }, query: { view, cursor, limit: 20 } },
      }),
    ),
  markRead: (itemIds: string[]) =>
    must(
      api.POST('/api/v1/inbox/{member_id}/{action}', {
        params: { path: { member_id: me(), action: 'read' } },
        body: { item_ids: itemIds, all: false },
      }),
    ),
  markAllRead: () =>
    must(
      api.POST('/api/v1/inbox/{member_id}/{action}', {
        params: { path: { member_id: me(), action: 'read' } },
        body: { all: true },
      }),
    ),
  preferences: () => must(api.GET('/api/v1/preferences/{member_id}', { params: { path: { member_id: me() } } })),
  setPreference: (category: Category, channel: Channel, on: boolean) =>
    must(
      api.PUT('/api/v1/preferences/{member_id}', {
        params: { path: { member_id: me() } },
        body: { channels: { [category]: { [channel]: on } } },
      }),
    ),
}
