import { describe, expect, it } from 'vitest'
import { nextSteps, publishBody, validateDraft, validatePublish } from './lifecycle'

const me = { subject: 'staff:ops1', staffId: 'ops1' }

describe('the publishing path', () => {
  it('offers approval of a draft, but not to its author', () => {
    expect(nextSteps({ status: 'draft', created_by: 'admin' }, me)).toEqual({
      steps: ['approve', 'withdraw'],
      ownDraft: false,
    })
    expect(nextSteps({ status: 'draft', created_by: 'ops1' }, me).ownDraft).toBe(true)
    expect(nextSteps({ status: 'approved', created_by: 'ops1' }, me).steps).toEqual(['publish', 'withdraw'])
    expect(nextSteps({ status: 'published', created_by: 'ops1' }, me).steps).toEqual(['withdraw'])
    expect(nextSteps({ status: 'withdrawn', created_by: 'ops1' }, me).steps).toEqual([])
  })
  it('publishes to managers only, or pushes to named tiers or (confirmed) everyone', () => {
    expect(publishBody({ channels: [], tiers: ['five_star'], everyone: true })).toMatchObject({
      channels: [],
      segment: null,
      confirm_unbounded: false,
    })
    expect(publishBody({ channels: ['inbox'], tiers: ['five_star'], everyone: false })).toMatchObject({
      channels: ['inbox'],
      segment: { tiers: ['five_star'], interests: [] },
      confirm_unbounded: false,
    })
    expect(validatePublish({ channels: ['inbox'], tiers: [], everyone: false })).toEqual({ tiers: 'audience' })
    expect(validatePublish({ channels: ['inbox'], tiers: [], everyone: true })).toEqual({})
  })
  it('checks a draft as the service would', () => {
    expect(validateDraft({ title: '', summary: '', body: '', category: 'renewal' }, 'publications')).toEqual({
      title: 'title',
      summary: 'summary',
      body: 'body',
      category: 'category',
    })
    expect(
      validateDraft({ title: '车险理赔指引', summary: '三步完成', body: '…', category: 'claims_guide' }, 'articles'),
    ).toEqual({})
  })
})
