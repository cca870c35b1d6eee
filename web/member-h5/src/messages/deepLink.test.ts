import { describe, expect, it } from 'vitest'
import { deepLink } from './deepLink'

const ID = '1b7e4c2a-9d3f-4e5b-8a61-0c2d3e4f5a6b'
const ORIGIN = 'https://club.example.cn'

describe('deepLink', () => {
  it('leads a claim step to the claim named in the message', () => {
    const item = { template_code: 'claim_step', link: null, body: `您的理赔案件${ID}进度更新：请补拍照片。` }
    expect(deepLink(item, ORIGIN)).toEqual({ name: 'claim', params: { id: ID } })
  })
  it('leads an order status to the order page and an activity sign-up to the activity', () => {
    expect(
      deepLink({ template_code: 'order_status', link: null, body: `您的服务订单${ID}商户已接单。` }, ORIGIN),
    ).toEqual({
      name: 'order',
      params: { id: ID },
    })
    expect(
      deepLink({ template_code: 'activity_signed_up', link: null, body: `您已成功报名活动${ID}，共1人。` }, ORIGIN),
    ).toEqual({ name: 'activity', params: { id: ID } })
  })
  it('prefers the link the message carries', () => {
    const body = `您的理赔案件${ID}进度更新`
    expect(deepLink({ template_code: 'claim_step', link: 'order:42', body }, ORIGIN)).toEqual({
      name: 'order',
      params: { id: '42' },
    })
    expect(deepLink({ template_code: 'campaign_generic', link: `/h5/activities/${ID}`, body: '' }, ORIGIN)).toEqual({
      name: 'activity',
      params: { id: ID },
    })
    expect(deepLink({ template_code: 'x', link: `${ORIGIN}/h5/claims/${ID}`, body: '' }, ORIGIN)).toEqual({
      name: 'claim',
      params: { id: ID },
    })
  })
  it('never leads off our origin, and says so when there is nowhere to go', () => {
    expect(
      deepLink({ template_code: 'campaign_generic', link: `https://evil.example/h5/claims/${ID}`, body: '' }, ORIGIN),
    ).toBeNull()
    expect(deepLink({ template_code: 'claim_step', link: null, body: '进度更新' }, ORIGIN)).toBeNull()
    expect(deepLink({ template_code: 'weather_alert', link: null, body: '台风橙色预警' }, ORIGIN)).toBeNull()
  })
  it('leads points messages to the points page', () => {
    expect(deepLink({ template_code: 'points_credited', link: null, body: '您获得500积分' }, ORIGIN)).toEqual({
      name: 'points',
    })
  })
})
