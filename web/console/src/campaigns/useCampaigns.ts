/** notify-svc's campaigns: the approved templates to send, audience previews, scheduling, progress. */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'
import type { Channel } from '@/ops/vocabulary'
import type { CampaignCreate, Segment } from './segment'

export type CampaignRead = components['schemas']['CampaignRead']
export type TemplateRead = components['schemas']['TemplateRead']

/** One template code as a campaign uses it: the channels with an approved version, and its variables. */
export interface TemplateChoice {
  code: string
  category: string
  channels: Channel[]
  variables: Record<string, string>
  title: string
}

/** Every approved template code, newest approved version of each channel (the list pages through cursors). */
export async function approvedTemplates(): Promise<TemplateChoice[]> {
  const all: TemplateRead[] = []
  let cursor: string | undefined
  for (let page = 0; page < 20; page++) {
    const found = await must(api.GET('/api/v1/templates', { params: { query: { limit: 100, cursor } } }))
    all.push(...found.items)
    if (!found.next_cursor) break
    cursor = found.next_cursor
  }
  const byCode = new Map<string, TemplateChoice>()
  for (const template of all.filter((t) => t.status === 'approved').sort((a, b) => a.version - b.version)) {
    const choice = byCode.get(template.code) ?? {
      code: template.code,
      category: template.category,
      channels: [],
      variables: {},
      title: '',
    }
    if (!choice.channels.includes(template.channel as Channel)) choice.channels.push(template.channel as Channel)
    choice.variables = { ...choice.variables, ...template.variables }
    if (template.channel === 'inbox' || !choice.title) choice.title = template.title
    choice.category = template.category
    byCode.set(template.code, choice)
  }
  return [...byCode.values()].sort((a, b) => a.code.localeCompare(b.code))
}

export function useCampaigns() {
  return {
    preview: (segment: Segment) => must(api.POST('/api/v1/campaigns/audience-preview', { body: { segment } })),
    create: (body: CampaignCreate) => must(api.POST('/api/v1/campaigns', { body })),
    /** Campaigns, newest first, each with its status and progress; a page per cursor. */
    list: (cursor?: string, limit = 20) => must(api.GET('/api/v1/campaigns', { params: { query: { cursor, limit } } })),
    get: (id: string) => must(api.GET('/api/v1/campaigns/{campaign_id}', { params: { path: { campaign_id: id } } })),
    pause: (id: string) =>
      must(api.POST('/api/v1/campaigns/{campaign_id}/pause', { params: { path: { campaign_id: id } } })),
    resume: (id: string) =>
      must(api.POST('/api/v1/campaigns/{campaign_id}/resume', { params: { path: { campaign_id: id } } })),
  }
}
