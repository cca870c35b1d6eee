import { describe, expect, it } from 'vitest'
import { deepLink } from './deepLink'
import { feedDetails, isFeedMessage } from './feedDetails'

const ORIGIN = 'https://club.example.cn'

describe('the owner secretary in the inbox', () => {
  it('reads a violation reminder: plate, fine, points, and booking the agency', () => {
    const item = {
      template_code: 'violation_reminder',
      link: '/h5/privileges/violation_agency/book',
      body: '您的车辆闽A12345有新的违章记录：11月20日在福州市五四路违反禁令标志指示，罚款200元，记3分。可预约代办违章。',
    }
    expect(isFeedMessage(item)).toBe(true)
    expect(feedDetails(item, ORIGIN)).toEqual({
      kind: 'violation',
      plate: '闽A12345',
      fineYuan: 200,
      points: 3,
      actions: [{ label: 'inbox.feeds.bookAgency', to: { name: 'book', params: { code: 'violation_agency' } } }],
    })
  })
  it('reads a weather alert: its level as a colour, reporting a claim and roadside rescue', () => {
    const item = {
      template_code: 'weather_alert',
      link: '/h5/claims/new',
      body: '台风橙色预警：福州市气象台发布台风橙色预警信号。请注意行车安全，如遇出险可一键报案。',
    }
    const details = feedDetails(item, ORIGIN)
    expect(details).toMatchObject({ kind: 'weather', label: '台风橙色预警', colour: 'orange' })
    expect(details?.actions.map((a) => a.to)).toEqual([
      { name: 'claim-report' },
      { name: 'book', params: { code: 'rescue_towing' } },
    ])
  })
  it('still offers the next step when the text is worded otherwise', () => {
    const details = feedDetails({ template_code: 'weather_alert', link: null, body: '请注意出行安全。' }, ORIGIN)
    expect(details).toMatchObject({ label: null, colour: null })
    expect(details?.actions[0]?.to).toEqual({ name: 'claim-report' })
    expect(feedDetails({ template_code: 'order_status', link: null, body: '' }, ORIGIN)).toBeNull()
  })
  it('leads /h5/claims/new to the report form, not to a claim called "new"', () => {
    expect(deepLink({ template_code: 'x', link: `${ORIGIN}/h5/claims/new`, body: '' }, ORIGIN)).toEqual({
      name: 'claim-report',
    })
  })
})
