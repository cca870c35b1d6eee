/** The manager's visit plan and visit records. */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'

export type PlanEntry = components['schemas']['PlanEntry']
export type VisitCreate = components['schemas']['VisitCreate']
export type VisitKind = VisitCreate['kind']
export type VisitChannel = VisitCreate['channel']
export const VISIT_KINDS: VisitKind[] = [
  'star_visit',
  'renewal_contact',
  'winback_visit',
  'post_claim_callback',
  'activity_followup',
]
export const VISIT_CHANNELS: VisitChannel[] = ['in_person', 'phone', 'wechat', 'sms']

export function useVisits() {
  return {
    plan: (staffId: string) =>
      must(api.GET('/api/v1/managers/{staff_id}/visit-plan', { params: { path: { staff_id: staffId } } })),
    record: (body: VisitCreate) => must(api.POST('/api/v1/visits', { body })),
    recent: (limit = 50) => must(api.GET('/api/v1/visits', { params: { query: { limit } } })),
  }
}
