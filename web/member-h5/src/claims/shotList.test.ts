import { describe, expect, it } from 'vitest'
import { shotProgress, type Shot } from './shotList'

function shot(code: string, extra: Partial<Shot> = {}): Shot {
  return { code, label: code, instruction: '', required: true, reshoot_requested: false, photo: null, ...extra }
}
const photo = { id: 'p', flags: [] }

describe('shotProgress', () => {
  const slots = [
    shot('front_view'),
    shot('rear_view'),
    shot('contact_point'),
    shot('side_view'),
    shot('extra_1', { required: false }),
  ]

  it('counts the required shots, not the optional ones', () => {
    const p = shotProgress({
      claim_status: 'survey_pending',
      slots: slots.map((s) => (s.code === 'front_view' ? { ...s, photo } : s)),
      missing_required: ['rear_view', 'contact_point', 'side_view'],
    })
    expect([p.done, p.total, p.percent, p.complete]).toEqual([1, 4, 25, false])
    expect(p.next?.code).toBe('rear_view')
  })

  it('is complete when every required shot is in', () => {
    const p = shotProgress({ claim_status: 'survey_pending', slots, missing_required: [] })
    expect([p.done, p.total, p.percent, p.complete, p.next]).toEqual([4, 4, 100, true, null])
  })

  it('after a re-shoot request counts only the asked shots, even though an old photo is there', () => {
    const asked = slots.map((s) => ({ ...s, photo, reshoot_requested: s.code === 'contact_point' }))
    const before = shotProgress({
      claim_status: 'reshoot_requested',
      slots: asked,
      missing_required: ['contact_point'],
    })
    expect([before.reshoot, before.done, before.total, before.complete]).toEqual([true, 0, 1, false])
    expect(before.next?.code).toBe('contact_point')
    const after = shotProgress({ claim_status: 'reshoot_requested', slots: asked, missing_required: [] })
    expect([after.done, after.total, after.complete]).toEqual([1, 1, true])
  })

  it('is closed once the photos are with the surveyor', () => {
    const p = shotProgress({ claim_status: 'survey_submitted', slots, missing_required: [] })
    expect([p.open, p.complete]).toEqual([false, false])
  })
})
