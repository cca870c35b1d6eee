/** Our standing: the scorecard dispatch ranks us by, and the accountability cases opened against us (read-only for us). */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'

export type Scorecard = components['schemas']['Scorecard']
export type Case = components['schemas']['CaseRead']
export type CaseDetail = components['schemas']['CaseDetail']

export function scorecard(merchantId: string): Promise<Scorecard> {
  return must(api.GET('/api/v1/merchants/{merchant_id}/scorecard', { params: { path: { merchant_id: merchantId } } }))
}

export async function cases(cursor: string | null) {
  const page = await must(
    api.GET('/api/v1/accountability', { params: { query: cursor ? { cursor, limit: 50 } : { limit: 50 } } }),
  )
  return { items: page.items, next: page.next_cursor ?? null }
}

export function caseDetail(id: string): Promise<CaseDetail> {
  return must(api.GET('/api/v1/accountability/{case_id}', { params: { path: { case_id: id } } }))
}

/** 0.873 → "87.3%"; null (nothing to measure yet) → "—". */
export function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${(value * 100).toFixed(1)}%`
}
