/** The figures ops report on: the gateway's club report, member-svc's and claims-svc's figures; each also as CSV. */
import { ApiError, must, type components } from '@cheyou/api'
import { api } from '@/api'
import { nextDay, shanghaiMidnight } from '@/ops/vocabulary'

export type ClubReport = components['schemas']['ClubReport']
export type JoinsReport = components['schemas']['JoinsReport']
export type ThroughputReport = components['schemas']['ThroughputReport']
export type MembersReport = components['schemas']['MembersReport']
export type ClaimFigures = components['schemas']['ClaimFigures']

/** A period of whole days in Shanghai, both included: [from, to]. */
export interface Days {
  from: string
  to: string
}

/** The club report takes instants: from the first day's midnight to the midnight after the last day. */
function clubQuery(days: Days) {
  return { from: shanghaiMidnight(days.from), to: shanghaiMidnight(nextDay(days.to)) }
}

/** The JSON answer of a route that can also answer CSV. */
async function json<T>(call: Promise<{ data?: T | string; response: Response }>): Promise<T> {
  const data = await must(call)
  if (typeof data === 'string') throw new ApiError(500, { status: 500, detail: 'expected JSON' })
  return data
}

async function csv(call: Promise<{ data?: unknown; response: Response }>): Promise<string> {
  return String(await must(call))
}

export function useReports() {
  return {
    club: (days: Days) => json(api.GET('/api/v1/reports/club', { params: { query: clubQuery(days) } })),
    clubCsv: (days: Days) =>
      csv(
        api.GET('/api/v1/reports/club', {
          params: { query: { ...clubQuery(days), format: 'csv' } },
          parseAs: 'text',
        }),
      ),
    members: () => json(api.GET('/api/v1/member-reports/members')),
    membersCsv: () =>
      csv(api.GET('/api/v1/member-reports/members', { params: { query: { format: 'csv' } }, parseAs: 'text' })),
    joins: (days: Days, period: 'day' | 'week' | 'month') =>
      json(api.GET('/api/v1/member-reports/joins', { params: { query: { ...days, period } } })),
    joinsCsv: (days: Days, period: 'day' | 'week' | 'month') =>
      csv(
        api.GET('/api/v1/member-reports/joins', {
          params: { query: { ...days, period, format: 'csv' } },
          parseAs: 'text',
        }),
      ),
    verification: (days: Days) => json(api.GET('/api/v1/member-reports/verification', { params: { query: days } })),
    verificationCsv: (days: Days) =>
      csv(
        api.GET('/api/v1/member-reports/verification', {
          params: { query: { ...days, format: 'csv' } },
          parseAs: 'text',
        }),
      ),
    claims: (days: Days) =>
      json(api.GET('/api/v1/claim-reports/figures', { params: { query: { ...days, by: 'month' } } })),
    claimsCsv: (days: Days) =>
      csv(
        api.GET('/api/v1/claim-reports/figures', {
          params: { query: { ...days, by: 'month', format: 'csv' } },
          parseAs: 'text',
        }),
      ),
  }
}
