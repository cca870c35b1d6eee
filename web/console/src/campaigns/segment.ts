/**
 * The campaign form and the requests it builds: `segmentRequest` is notify-svc's Segment (every criterion,
 * empty when not set; lists deduplicated), `campaignRequest` the body of `POST /api/v1/campaigns`, and
 * `validateCampaign` says what is wrong before anything is sent.
 */
import type { components } from '@cheyou/api'
import type { Channel, Tier } from '@/ops/vocabulary'

export type Segment = components['schemas']['Segment']
export type CampaignCreate = components['schemas']['CampaignCreate']
type Gender = 'male' | 'female'

export interface SegmentForm {
  tiers: Tier[]
  interests: string[]
  genders: Gender[]
  /** Region code prefixes (2 to 6 digits: 35 Fujian, 3501 Fuzhou, 350102 Gulou). */
  regions: string[]
  joinChannels: string[]
  /** Members who signed up to at least this many activities (null: any). */
  minActivitySignups: number | null
  /** Members active since this day (YYYY-MM-DD, Shanghai), or null. */
  activeSince: string | null
}

export interface CampaignForm {
  name: string
  templateCode: string
  /** The template's variables as typed; `types` says how to send each (string, int or date). */
  variables: Record<string, string>
  channels: Channel[]
  segment: SegmentForm
  throttlePerSecond: number
  /** Null: start now; else "YYYY-MM-DD HH:mm" in Shanghai. */
  scheduledAt: string | null
}

export function emptySegment(): SegmentForm {
  return {
    tiers: [],
    interests: [],
    genders: [],
    regions: [],
    joinChannels: [],
    minActivitySignups: null,
    activeSince: null,
  }
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)]
}

export const REGION_PATTERN = /^[1-8]\d{1,5}$/

export function segmentRequest(form: SegmentForm): Segment {
  return {
    tiers: unique(form.tiers),
    interests: unique(form.interests),
    genders: unique(form.genders),
    region_codes: unique(form.regions.map((r) => r.trim()).filter(Boolean)),
    join_channels: unique(form.joinChannels),
    min_activity_signups: form.minActivitySignups || null,
    active_since: form.activeSince ? `${form.activeSince}T00:00:00+08:00` : null,
  }
}

/** A segment that sets no criterion reaches every member (the service wants that confirmed). */
export function isUnbounded(segment: Segment): boolean {
  return (
    [segment.tiers, segment.interests, segment.genders, segment.region_codes, segment.join_channels].every(
      (list) => list.length === 0,
    ) &&
    !segment.min_activity_signups &&
    !segment.active_since
  )
}

/** Each variable as its template declares it: ints as numbers, the rest as text. */
export function typedVariables(values: Record<string, string>, types: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(types).map((name) => {
      const value = (values[name] ?? '').trim()
      return [name, types[name] === 'int' ? Number(value) : value]
    }),
  )
}

export function campaignRequest(
  form: CampaignForm,
  types: Record<string, string>,
  confirm: { unbounded?: boolean; empty?: boolean } = {},
): CampaignCreate {
  return {
    name: form.name.trim(),
    template_code: form.templateCode,
    variables: typedVariables(form.variables, types),
    channels: unique(form.channels),
    segment: segmentRequest(form.segment),
    throttle_per_second: form.throttlePerSecond,
    scheduled_at: form.scheduledAt ? `${form.scheduledAt.replace(' ', 'T')}:00+08:00` : null,
    confirm_unbounded: confirm.unbounded ?? false,
    confirm_empty: confirm.empty ?? false,
  }
}

/** What is wrong, as i18n keys of `campaigns.errors` by field. */
export type CampaignErrors = Partial<
  Record<'name' | 'templateCode' | 'channels' | 'regions' | 'throttle' | 'scheduledAt' | `variables.${string}`, string>
>

export function validateCampaign(
  form: CampaignForm,
  types: Record<string, string>,
  now: Date = new Date(),
): CampaignErrors {
  const errors: CampaignErrors = {}
  const name = form.name.trim()
  if (!name) errors.name = 'nameRequired'
  else if (name.length > 128) errors.name = 'nameTooLong'
  if (!form.templateCode) errors.templateCode = 'templateRequired'
  if (form.channels.length === 0) errors.channels = 'channelsRequired'
  if (form.segment.regions.some((r) => !REGION_PATTERN.test(r.trim()))) errors.regions = 'regionCode'
  if (!Number.isInteger(form.throttlePerSecond) || form.throttlePerSecond < 1 || form.throttlePerSecond > 5000) {
    errors.throttle = 'throttle'
  }
  for (const [name, type] of Object.entries(types)) {
    const value = (form.variables[name] ?? '').trim()
    if (!value) errors[`variables.${name}`] = 'variableRequired'
    else if (type === 'int' && !/^-?\d+$/.test(value)) errors[`variables.${name}`] = 'variableInt'
    else if (type === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(value)) errors[`variables.${name}`] = 'variableDate'
  }
  if (form.scheduledAt) {
    const at = new Date(`${form.scheduledAt.replace(' ', 'T')}:00+08:00`)
    if (Number.isNaN(at.getTime())) errors.scheduledAt = 'scheduleInvalid'
    else if (at.getTime() < now.getTime() - 60_000) errors.scheduledAt = 'schedulePast'
  }
  return errors
}
