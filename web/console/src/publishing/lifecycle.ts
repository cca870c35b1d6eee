/**
 * A publication's or an article's path: draft → approved (by someone other than its author) → published →
 * withdrawn. What the signed-in editor may do next, and the publish request's body.
 */
import type { Channel, Tier } from '@/ops/vocabulary'

export type Kind = 'publications' | 'articles'
export type Status = 'draft' | 'approved' | 'published' | 'withdrawn'
export type Step = 'approve' | 'publish' | 'withdraw'

export const MESSAGE_CATEGORIES = ['underwriting', 'claims', 'value_added'] as const
export const ARTICLE_CATEGORIES = ['claims_guide', 'renewal', 'safe_driving', 'policy_basics', 'other'] as const

export function categoriesOf(kind: Kind): readonly string[] {
  return kind === 'publications' ? MESSAGE_CATEGORIES : ARTICLE_CATEGORIES
}

export interface Me {
  subject: string
  staffId: string | null
}

export function isAuthor(item: { created_by: string }, me: Me | null): boolean {
  return !!me && (item.created_by === me.staffId || item.created_by === me.subject)
}

/** The steps to offer, and whether approving is barred because the editor wrote it. */
export function nextSteps(
  item: { status: string; created_by: string },
  me: Me | null,
): { steps: Step[]; ownDraft: boolean } {
  switch (item.status) {
    case 'draft':
      return { steps: ['approve', 'withdraw'], ownDraft: isAuthor(item, me) }
    case 'approved':
      return { steps: ['publish', 'withdraw'], ownDraft: false }
    case 'published':
      return { steps: ['withdraw'], ownDraft: false }
    default:
      return { steps: [], ownDraft: false }
  }
}

export interface PublishForm {
  channels: Channel[]
  tiers: Tier[]
  everyone: boolean
}

/** Errors (keys under `publishing.errors`); members are pushed to only when channels are chosen. */
export function validatePublish(form: PublishForm): Record<string, string> {
  if (form.channels.length && !form.everyone && form.tiers.length === 0) return { tiers: 'audience' }
  return {}
}

export function publishBody(form: PublishForm) {
  const pushing = form.channels.length > 0
  return {
    channels: form.channels,
    segment: pushing
      ? { tiers: form.everyone ? [] : form.tiers, interests: [], genders: [], region_codes: [], join_channels: [] }
      : null,
    throttle_per_second: 200,
    confirm_unbounded: pushing && form.everyone,
    confirm_empty: false,
  }
}

export interface DraftForm {
  title: string
  summary: string
  body: string
  category: string
}

export function validateDraft(form: DraftForm, kind: Kind): Record<string, string> {
  const e: Record<string, string> = {}
  if (!form.title.trim()) e.title = 'title'
  else if (form.title.trim().length > 64) e.title = 'titleLong'
  if (!form.summary.trim()) e.summary = 'summary'
  else if (form.summary.trim().length > 200) e.summary = 'summaryLong'
  if (!form.body.trim()) e.body = 'body'
  if (!categoriesOf(kind).includes(form.category)) e.category = 'category'
  return e
}
