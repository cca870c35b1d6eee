import { describe, expect, it } from 'vitest'
import {
  campaignRequest,
  emptySegment,
  isUnbounded,
  segmentRequest,
  validateCampaign,
  type CampaignForm,
} from './segment'

const NOTHING = {
  tiers: [],
  interests: [],
  genders: [],
  region_codes: [],
  join_channels: [],
  min_activity_signups: null,
  active_since: null,
}

describe('the segment builder', () => {
  it('builds notify-svc’s segment for three-star members interested in self-drive tours', () => {
    const segment = segmentRequest({ ...emptySegment(), tiers: ['three_star'], interests: ['self_drive'] })
    expect(segment).toEqual({ ...NOTHING, tiers: ['three_star'], interests: ['self_drive'] })
    expect(isUnbounded(segment)).toBe(false)
  })

  it('sends tier, interests, gender and region together, deduplicated and trimmed', () => {
    const segment = segmentRequest({
      ...emptySegment(),
      tiers: ['four_star', 'five_star', 'four_star'],
      interests: ['photography', 'self_drive'],
      genders: ['female'],
      regions: [' 3501 ', '350128', '3501'],
      minActivitySignups: 2,
      activeSince: '2026-11-01',
    })
    expect(segment).toEqual({
      ...NOTHING,
      tiers: ['four_star', 'five_star'],
      interests: ['photography', 'self_drive'],
      genders: ['female'],
      region_codes: ['3501', '350128'],
      min_activity_signups: 2,
      active_since: '2026-11-01T00:00:00+08:00',
    })
  })

  it('is unbounded (every member) when no criterion is set', () => {
    expect(segmentRequest(emptySegment())).toEqual(NOTHING)
    expect(isUnbounded(segmentRequest(emptySegment()))).toBe(true)
  })
})

describe('the campaign request', () => {
  const form: CampaignForm = {
    name: ' 秋季自驾游 ',
    templateCode: 'campaign_generic',
    variables: { title: '秋季自驾游', content: ' 名额有限 ' },
    channels: ['wechat', 'inbox'],
    segment: { ...emptySegment(), tiers: ['three_star'], interests: ['self_drive'] },
    throttlePerSecond: 50,
    scheduledAt: null,
  }
  const types = { title: 'string', content: 'string' }

  it('carries the template, typed variables, channels, throttle and the segment; now unless scheduled', () => {
    expect(campaignRequest(form, types)).toEqual({
      name: '秋季自驾游',
      template_code: 'campaign_generic',
      variables: { title: '秋季自驾游', content: '名额有限' },
      channels: ['wechat', 'inbox'],
      segment: { ...NOTHING, tiers: ['three_star'], interests: ['self_drive'] },
      throttle_per_second: 50,
      scheduled_at: null,
      confirm_unbounded: false,
      confirm_empty: false,
    })
  })

  it('schedules in Shanghai time, sends ints as numbers and the confirmations asked for', () => {
    const body = campaignRequest(
      { ...form, templateCode: 'points_expiring', variables: { points: '300', expires_on: '2027-01-31' } },
      { points: 'int', expires_on: 'date' },
      { empty: true },
    )
    expect(body.variables).toEqual({ points: 300, expires_on: '2027-01-31' })
    expect(campaignRequest({ ...form, scheduledAt: '2026-12-08 09:30' }, types).scheduled_at).toBe(
      '2026-12-08T09:30:00+08:00',
    )
    expect(body.confirm_empty).toBe(true)
    expect(body.confirm_unbounded).toBe(false)
  })

  it('is refused before sending when something is missing or wrong', () => {
    const now = new Date('2026-12-07T02:00:00Z')
    expect(validateCampaign(form, types, now)).toEqual({})
    expect(
      validateCampaign(
        {
          ...form,
          name: ' ',
          templateCode: '',
          channels: [],
          throttlePerSecond: 0,
          variables: { title: '', content: 'x' },
          segment: { ...form.segment, regions: ['fuzhou'] },
          scheduledAt: '2026-12-07 09:00',
        },
        types,
        now,
      ),
    ).toEqual({
      name: 'nameRequired',
      templateCode: 'templateRequired',
      channels: 'channelsRequired',
      regions: 'regionCode',
      throttle: 'throttle',
      'variables.title': 'variableRequired',
      scheduledAt: 'schedulePast',
    })
    expect(validateCampaign({ ...form, variables: { points: '3.5' } }, { points: 'int' }, now)).toEqual({
      'variables.points': 'variableInt',
    })
  })
})
