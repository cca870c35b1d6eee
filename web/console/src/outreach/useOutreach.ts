/** Invitation outreach as ops read it: invited, opened, applied, verified and opted out per list or manager. */
import { ApiError, must, type components } from '@cheyou/api'
import { api } from '@/api'
import type { Days } from '@/reports/useReports'

export type InvitationsReport = components['schemas']['InvitationsReport']
export type InvitationsRow = components['schemas']['InvitationsRow']
export type By = InvitationsReport['by']

export function useOutreach() {
  return {
    async report(by: By, days: Days): Promise<InvitationsReport> {
      const data = await must(api.GET('/api/v1/member-reports/invitations', { params: { query: { by, ...days } } }))
      if (typeof data === 'string') throw new ApiError(500, { status: 500, detail: 'expected JSON' })
      return data
    },
    async csv(by: By, days: Days): Promise<string> {
      return String(
        await must(
          api.GET('/api/v1/member-reports/invitations', {
            params: { query: { by, ...days, format: 'csv' } },
            parseAs: 'text',
          }),
        ),
      )
    },
  }
}

/** A share as a percentage with one decimal, or a dash without any invitation. */
export function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${(value * 100).toFixed(1)}%`
}
