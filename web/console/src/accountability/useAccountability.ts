/** merchant-svc's accountability cases for ops: complaints investigated with notes, closed by a decision. */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'

export type CaseRead = components['schemas']['CaseRead']
export type CaseDetail = components['schemas']['CaseDetail']
export type Decision = components['schemas']['Decision']

const one = (id: string) => ({ params: { path: { case_id: id } } })

export function useAccountability() {
  return {
    list: (status: string | null, cursor?: string) =>
      must(api.GET('/api/v1/accountability', { params: { query: { status, cursor, limit: 20 } } })),
    get: (id: string) => must(api.GET('/api/v1/accountability/{case_id}', one(id))),
    note: (id: string, text: string) =>
      must(api.POST('/api/v1/accountability/{case_id}/notes', { ...one(id), body: { text } })),
    decide: (id: string, body: Decision) =>
      must(api.POST('/api/v1/accountability/{case_id}/decision', { ...one(id), body })),
  }
}
