/** The customer manager's own card, invite QR, follow-up tasks, KPIs, unit targets and publications to share. */
import { must, type components, type operations } from '@cheyou/api'
import { api } from '@/api'

export type ManagerCard = components['schemas']['ManagerRead']
export type ManagerTask = components['schemas']['member_svc__managers__schemas__TaskRead']
export type TaskKind = NonNullable<
  NonNullable<NonNullable<operations['tasks_api_v1_managers__staff_id__tasks_get']['parameters']['query']>['kind']>
>
export type Kpi = components['schemas']['Kpi']
export type UnitTarget = components['schemas']['UnitTarget']
export type Publication = components['schemas']['PublicationRead']
export type Share = components['schemas']['ShareRead']
export type PublicationKind = 'publications' | 'articles'

const staff = (staffId: string) => ({ params: { path: { staff_id: staffId } } })

export function useManager() {
  return {
    card: (staffId: string) => must(api.GET('/api/v1/managers/{staff_id}', staff(staffId))),
    /** The invite QR as a PNG (fetched with the session: an <img src> could not send it). */
    inviteQr: async (staffId: string): Promise<Blob> => {
      const { data } = await api.GET('/api/v1/managers/{staff_id}/invite-qr.png', {
        ...staff(staffId),
        parseAs: 'blob',
      })
      return data as unknown as Blob
    },
    tasks: (staffId: string, status: 'open' | 'done', kind?: TaskKind) =>
      must(
        api.GET('/api/v1/managers/{staff_id}/tasks', {
          params: { path: { staff_id: staffId }, query: { status, kind, limit: 500 } },
        }),
      ),
    kpis: (staffId: string, from: string, to: string) =>
      must(
        api.GET('/api/v1/managers/{staff_id}/kpis', { params: { path: { staff_id: staffId }, query: { from, to } } }),
      ),
    targets: (month: string) => must(api.GET('/api/v1/targets', { params: { query: { month } } })),
    published: (kind: PublicationKind) =>
      kind === 'publications'
        ? must(api.GET('/api/v1/publications', { params: { query: { status: 'published', limit: 50 } } }))
        : must(api.GET('/api/v1/articles', { params: { query: { status: 'published', limit: 50 } } })),
    share: (kind: PublicationKind, itemId: string, memberIds: string[]) =>
      kind === 'publications'
        ? must(
            api.POST('/api/v1/publications/{item_id}/shares', {
              params: { path: { item_id: itemId } },
              body: { member_ids: memberIds },
            }),
          )
        : must(
            api.POST('/api/v1/articles/{item_id}/shares', {
              params: { path: { item_id: itemId } },
              body: { member_ids: memberIds },
            }),
          ),
    shares: (kind: PublicationKind, itemId: string) =>
      kind === 'publications'
        ? must(api.GET('/api/v1/publications/{item_id}/shares', { params: { path: { item_id: itemId } } }))
        : must(api.GET('/api/v1/articles/{item_id}/shares', { params: { path: { item_id: itemId } } })),
  }
}

/** A month's first and last day ("2026-12" → ["2026-12-01", "2026-12-31"]), the last capped at today. */
export function monthRange(month: string, today: string): [string, string] {
  const [year = 0, mon = 1] = month.split('-').map(Number)
  const last = new Date(Date.UTC(year, mon, 0)).toISOString().slice(0, 10)
  return [`${month}-01`, last < today ? last : today]
}

/** Attainment as a percentage (null when there is no target). */
export function attainment(joins: number, target: number): number | null {
  return target > 0 ? Math.round((joins / target) * 100) : null
}
