/** Needs surveys (征集令) on member-svc: the published ones with whether I answered, and my answer (once). */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'

export type Survey = components['schemas']['NeedsSurveyRead']
export type Question = components['schemas']['NeedsSurveyQuestion']
export type AnswerItem = components['schemas']['NeedsSurveyAnswerItem']

export const surveys = {
  list: () => must(api.GET('/api/v1/needs-surveys', { params: { query: { limit: 50 } } })),
  get: (id: string) => must(api.GET('/api/v1/needs-surveys/{survey_id}', { params: { path: { survey_id: id } } })),
  answer: (id: string, items: AnswerItem[]) =>
    must(
      api.POST('/api/v1/needs-surveys/{survey_id}/answers', { params: { path: { survey_id: id } }, body: { items } }),
    ),
}

/** What the member picked or wrote, per question code. */
export type Draft = Record<string, { options: string[]; text: string }>

/** The answer's items, or the codes of required questions left unanswered (checked before sending). */
export function itemsOf(questions: Question[], draft: Draft): { items: AnswerItem[]; missing: string[] } {
  const items: AnswerItem[] = []
  const missing: string[] = []
  for (const q of questions) {
    const d = draft[q.code] ?? { options: [], text: '' }
    if (q.kind === 'text') {
      if (d.text.trim()) items.push({ question: q.code, text: d.text.trim() })
      else if (q.required !== false) missing.push(q.code)
    } else if (d.options.length) {
      items.push({ question: q.code, options: q.kind === 'single' ? d.options.slice(0, 1) : d.options })
    } else if (q.required !== false) {
      missing.push(q.code)
    }
  }
  return { items, missing }
}
