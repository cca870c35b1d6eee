/** member-svc's needs surveys (征集令) for ops: create, publish, close, and the results per question. */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'

export type Survey = components['schemas']['NeedsSurveyRead']
export type SurveyCreate = components['schemas']['NeedsSurveyCreate']
export type Question = components['schemas']['NeedsSurveyQuestion']
export type Results = components['schemas']['NeedsSurveyResults']
type Option = components['schemas']['NeedsSurveyOption']

const one = (id: string) => ({ params: { path: { survey_id: id } } })

export function useNeedsSurveys() {
  return {
    list: (cursor?: string) => must(api.GET('/api/v1/needs-surveys', { params: { query: { cursor, limit: 20 } } })),
    create: (body: SurveyCreate) => must(api.POST('/api/v1/needs-surveys', { body })),
    publish: (id: string) => must(api.POST('/api/v1/needs-surveys/{survey_id}/publish', one(id))),
    close: (id: string) => must(api.POST('/api/v1/needs-surveys/{survey_id}/close', one(id))),
    results: (id: string) => must(api.GET('/api/v1/needs-surveys/{survey_id}/results', one(id))),
  }
}

/** Services a member can say they want (member-svc surveys/schemas.py `Need`). */
export const NEEDS = [
  'car_wash',
  'annual_inspection',
  'violation_handling',
  'licence_affairs',
  'designated_driving',
  'roadside_rescue',
  'maintenance',
  'fuel_discount',
  'airport_vip',
  'hotel_booking',
  'car_purchase',
  'home_cleaning',
  'self_drive_tours',
  'family_events',
  'insurance_advice',
  'fresh_food',
] as const

export interface OptionDraft {
  label: string
  interests: string[]
  needs: string[]
}
export interface QuestionDraft {
  text: string
  kind: 'single' | 'multiple' | 'text'
  required: boolean
  options: OptionDraft[]
}

/** The survey as member-svc takes it (codes q1…, o1…), or the i18n keys of what is missing. */
export function surveyOf(
  title: string,
  intro: string,
  drafts: QuestionDraft[],
): { body: SurveyCreate; problems: string[] } {
  const problems: string[] = []
  if (!title.trim()) problems.push('needsSurveys.errors.title')
  if (!drafts.length) problems.push('needsSurveys.errors.noQuestion')
  const questions: Question[] = drafts.map((q, i) => {
    if (!q.text.trim()) problems.push('needsSurveys.errors.questionText')
    const options = q.kind === 'text' ? [] : q.options.filter((o) => o.label.trim())
    if (q.kind !== 'text' && options.length < 2) problems.push('needsSurveys.errors.options')
    return {
      code: `q${i + 1}`,
      text: q.text.trim(),
      kind: q.kind,
      required: q.required,
      options: options.map((o, j) => ({
        code: `o${j + 1}`,
        label: o.label.trim(),
        interests: o.interests as Option['interests'],
        needs: o.needs as Option['needs'],
      })),
    }
  })
  return { body: { title: title.trim(), intro: intro.trim(), questions }, problems: [...new Set(problems)] }
}
