/** The surveyor's work: the queue, taking a survey, its photos by shot list, confirming or asking for re-shoots. */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'

export type SurveyTask = components['schemas']['SurveyTaskRead']
export type SurveyCase = components['schemas']['SurveyCaseRead']
export type Photo = components['schemas']['PhotoRead']
export type Checklist = components['schemas']['ChecklistRead']
export type Step = components['schemas']['ClaimStepRead']

const claim = (claimId: string) => ({ params: { path: { claim_id: claimId } } })

export function useSurveys() {
  return {
    queue: (view: 'queue' | 'mine') => must(api.GET('/api/v1/surveys', { params: { query: { view, limit: 100 } } })),
    /** The oldest waiting survey, or null when the queue is empty (204). */
    takeNext: async (): Promise<SurveyTask | null> => {
      const { data, response } = await api.POST('/api/v1/surveys/next', {})
      return response.status === 204 ? null : (data ?? null)
    },
    take: (claimId: string) => must(api.POST('/api/v1/surveys/{claim_id}/assignment', claim(claimId))),
    case: (claimId: string) => must(api.GET('/api/v1/surveys/{claim_id}', claim(claimId))),
    shotList: (claimId: string) => must(api.GET('/api/v1/claims/{claim_id}/survey', claim(claimId))),
    timeline: (claimId: string) =>
      must(
        api.GET('/api/v1/claims/{claim_id}/timeline', {
          params: { path: { claim_id: claimId }, query: { limit: 100 } },
        }),
      ),
    documents: (claimId: string) => must(api.GET('/api/v1/claims/{claim_id}/documents', claim(claimId))),
    /** The photo's bytes (the request carries the session, so an <img src> cannot fetch it itself). */
    photo: async (claimId: string, photoId: string): Promise<Blob> => {
      const { data } = await api.GET('/api/v1/claims/{claim_id}/survey/photos/{photo_id}/content', {
        params: { path: { claim_id: claimId, photo_id: photoId } },
        parseAs: 'blob',
      })
      return data as unknown as Blob
    },
    confirm: (claimId: string, amountFen: number, note: string | null) =>
      must(
        api.POST('/api/v1/surveys/{claim_id}/confirmation', {
          ...claim(claimId),
          body: { amount_fen: amountFen, note },
        }),
      ),
    reshoot: (claimId: string, slots: string[], note: string) =>
      must(api.POST('/api/v1/surveys/{claim_id}/reshoot-request', { ...claim(claimId), body: { slots, note } })),
    mediationSlots: () => must(api.GET('/api/v1/appointment-slots', { params: { query: { limit: 100 } } })),
  }
}
