/** The admin's staff accounts: list, open one with a role, unlock after failed sign-ins, disable and enable. */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'

export type StaffAccount = components['schemas']['StaffRead']
export type StaffCreate = components['schemas']['StaffCreate']
export const STAFF_ROLES: StaffCreate['role'][] = ['reviewer', 'manager', 'surveyor', 'ops', 'admin']

export function useStaff() {
  return {
    /** Every account, page after page (a branch has tens of staff, not thousands). */
    async all(): Promise<StaffAccount[]> {
      const accounts: StaffAccount[] = []
      let cursor: string | undefined
      do {
        const page = await must(api.GET('/api/v1/auth/staff', { params: { query: { limit: 100, cursor } } }))
        accounts.push(...page.items)
        cursor = page.next_cursor ?? undefined
      } while (cursor)
      return accounts
    },
    create: (body: StaffCreate) => must(api.POST('/api/v1/auth/staff', { body })),
    setDisabled: (username: string, disabled: boolean) =>
      must(api.PATCH('/api/v1/auth/staff/{username}', { params: { path: { username } }, body: { disabled } })),
    unlock: (username: string) =>
      must(api.POST('/api/v1/auth/staff/{username}/unlock', { params: { path: { username } } })),
  }
}
