/** The member's claims on claims-svc (through the gateway): report, liability, the guided survey, documents,
 * the injury-mediation appointment, the timeline and withdrawal; the policies come from member-svc. */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'

export type Claim = components['schemas']['ClaimRead']
export type ClaimCreate = components['schemas']['ClaimCreate']
export type Policy = components['schemas']['PolicyRead']
export type Scenario = components['schemas']['ScenarioRead']
export type Liability = components['schemas']['LiabilityRead']
export type ConfirmationRequest = components['schemas']['ConfirmationRequestRead']
export type SurveyRead = components['schemas']['SurveyRead']
export type Checklist = components['schemas']['ChecklistRead']
export type MediationSlot = components['schemas']['claims_svc__appointments__schemas__SlotRead']
export type Appointment = components['schemas']['AppointmentRead']
export type Step = components['schemas']['ClaimStepRead']

/** A file the member picked, sent as multipart with its form fields. */
function multipart(fields: Record<string, string>, file: File): FormData {
  const form = new FormData()
  for (const [key, value] of Object.entries(fields)) form.append(key, value)
  form.append('file', file, file.name || 'photo.jpg')
  return form
}

export function claimsApi() {
  return {
    list: (cursor?: string) => must(api.GET('/api/v1/claims', { params: { query: { cursor, limit: 20 } } })),
    get: (id: string) => must(api.GET('/api/v1/claims/{claim_id}', { params: { path: { claim_id: id } } })),
    timeline: (id: string) =>
      must(
        api.GET('/api/v1/claims/{claim_id}/timeline', { params: { path: { claim_id: id }, query: { limit: 100 } } }),
      ),
    report: (body: ClaimCreate) => must(api.POST('/api/v1/claims', { body })),
    withdraw: (id: string, reason: string) =>
      must(api.POST('/api/v1/claims/{claim_id}/withdrawal', { params: { path: { claim_id: id } }, body: { reason } })),
    /** The member's own policies (member-svc), newest renewal first as listed. */
    policies: () => must(api.GET('/api/v1/policies', { params: { query: { limit: 50 } } })),

    scenarios: () => must(api.GET('/api/v1/liability-scenarios', { params: { query: { limit: 50 } } })),
    liability: (id: string) =>
      must(api.GET('/api/v1/claims/{claim_id}/liability', { params: { path: { claim_id: id } } })),
    propose: (id: string, member: string[], other: string[]) =>
      api.POST('/api/v1/claims/{claim_id}/liability', {
        params: { path: { claim_id: id } },
        body: { member_scenarios: member, other_scenarios: other },
      }),
    requestConfirmation: (id: string) =>
      must(
        api.POST('/api/v1/claims/{claim_id}/liability/confirmation-requests', { params: { path: { claim_id: id } } }),
      ),
    confirm: (id: string, body: components['schemas']['claims_svc__liability__schemas__ConfirmationCreate']) =>
      must(api.POST('/api/v1/claims/{claim_id}/liability/confirmations', { params: { path: { claim_id: id } }, body })),

    survey: (id: string) => must(api.GET('/api/v1/claims/{claim_id}/survey', { params: { path: { claim_id: id } } })),
    uploadPhoto: (id: string, slot: string, file: File) =>
      must(
        api.POST('/api/v1/claims/{claim_id}/survey/photos', {
          params: { path: { claim_id: id } },
          body: { slot, file: '' },
          bodySerializer: () => multipart({ slot }, file),
        }),
      ),
    photo: async (id: string, photoId: string) =>
      (await must(
        api.GET('/api/v1/claims/{claim_id}/survey/photos/{photo_id}/content', {
          params: { path: { claim_id: id, photo_id: photoId } },
          parseAs: 'blob',
        }),
      )) as unknown as Blob,
    deletePhoto: (id: string, photoId: string) =>
      api.DELETE('/api/v1/claims/{claim_id}/survey/photos/{photo_id}', {
        params: { path: { claim_id: id, photo_id: photoId } },
      }),
    submitSurvey: (id: string) =>
      must(api.POST('/api/v1/claims/{claim_id}/survey/submission', { params: { path: { claim_id: id } } })),

    checklist: (id: string) =>
      must(api.GET('/api/v1/claims/{claim_id}/documents', { params: { path: { claim_id: id } } })),
    uploadDocument: (id: string, kind: string, file: File) =>
      must(
        api.POST('/api/v1/claims/{claim_id}/documents', {
          params: { path: { claim_id: id } },
          body: { kind, file: '' },
          bodySerializer: () => multipart({ kind }, file),
        }),
      ),

    freeSlots: () => must(api.GET('/api/v1/appointment-slots', { params: { query: { limit: 50 } } })),
    book: (claimId: string, slotId: string) =>
      must(api.POST('/api/v1/appointments', { body: { claim_id: claimId, slot_id: slotId } })),
  }
}

export const claims = claimsApi()

/** Statuses from which the member withdraws at once; from the next two it is a request an adjuster decides. */
export const WITHDRAW_AT_ONCE = new Set([
  'reported',
  'liability_pending',
  'liability_agreed',
  'liability_disputed',
  'survey_pending',
  'survey_submitted',
  'reshoot_requested',
  'escalated_on_site',
  'loss_confirmed',
  'documents_pending',
  'reopened',
])
export const WITHDRAW_ON_REQUEST = new Set(['adjudicating', 'approved'])
export const CLOSED = new Set(['closed', 'rejected', 'withdrawn'])

/** The policy covers a loss on `day` (YYYY-MM-DD, Beijing date) — what claims-svc checks at report. */
export function covers(policy: Pick<Policy, 'starts_on' | 'ends_on' | 'status'>, day: string): boolean {
  return policy.status === 'active' && policy.starts_on <= day && day <= policy.ends_on
}
