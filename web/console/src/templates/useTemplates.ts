/** notify-svc's message templates for ops: versions by code and channel, preview with sample values,
 * approval by someone other than the author. */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'
import type { templateBody } from './templateForm'

export type TemplateRead = components['schemas']['TemplateRead']

const one = (id: string) => ({ params: { path: { template_id: id } } })

export function useTemplates() {
  return {
    list: (code: string | null, cursor?: string) =>
      must(api.GET('/api/v1/templates', { params: { query: { code, cursor, limit: 20 } } })),
    create: (body: ReturnType<typeof templateBody>) => must(api.POST('/api/v1/templates', { body })),
    approve: (id: string) => must(api.POST('/api/v1/templates/{template_id}/approve', one(id))),
    preview: (id: string, variables: Record<string, unknown>) =>
      must(api.POST('/api/v1/templates/{template_id}/preview', { ...one(id), body: { variables } })),
  }
}
