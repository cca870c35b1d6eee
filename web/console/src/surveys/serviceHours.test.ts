import { describe, expect, it } from 'vitest'
import { distanceMetres, photoChecks } from './photoChecks'
import { overdue, serviceState, waitedMinutes } from './serviceHours'

// Instants in UTC; Shanghai is UTC+8 all year.
describe('serviceState', () => {
  it('is open from 08:00 to 20:00 Shanghai time, counting down to closing', () => {
    expect(serviceState(new Date('2026-12-07T00:00:00Z'))).toEqual({ open: true, minutes: 720 }) // 08:00
    expect(serviceState(new Date('2026-12-07T11:59:00Z'))).toEqual({ open: true, minutes: 1 }) // 19:59
  })
  it('is closed at 20:00 and before 08:00, counting down to the next opening', () => {
    expect(serviceState(new Date('2026-12-07T12:00:00Z'))).toEqual({ open: false, minutes: 720 }) // 20:00
    expect(serviceState(new Date('2026-12-06T23:30:00Z'))).toEqual({ open: false, minutes: 30 }) // 07:30
    expect(serviceState(new Date('2026-12-06T16:00:00Z'))).toEqual({ open: false, minutes: 480 }) // 00:00
  })
  it('whatever the computer’s own time zone says', () => {
    // 2026-12-07 07:59 in Shanghai is still the previous evening in Europe.
    expect(serviceState(new Date('2026-12-06T23:59:00Z')).open).toBe(false)
  })
})

describe('waiting', () => {
  const now = new Date('2026-12-07T03:00:00Z')
  it('counts whole minutes since the survey was queued', () => {
    expect(waitedMinutes('2026-12-07T02:29:30Z', now)).toBe(30)
    expect(waitedMinutes('2026-12-07T03:05:00Z', now)).toBe(0)
  })
  it('is overdue once the promised time has passed', () => {
    expect(overdue('2026-12-07T02:59:00Z', now)).toBe(true)
    expect(overdue('2026-12-07T03:01:00Z', now)).toBe(false)
  })
})

describe('photoChecks', () => {
  const clean = { taken_at: '2026-12-07T02:00:00Z', gps_latitude: 26.07, gps_longitude: 119.3, flags: [] }
  it('passes a photo taken at the loss, at the time of the loss', () => {
    expect(photoChecks(clean).map((check) => check.ok)).toEqual([true, true])
  })
  it('names what is wrong: no capture time, taken long before, far away, no GPS', () => {
    expect(photoChecks({ ...clean, flags: ['no_capture_time'] })[0]?.words).toBe('surveys.checks.noTime')
    expect(photoChecks({ ...clean, flags: ['taken_long_before_loss'] })[0]?.words).toBe('surveys.checks.tooEarly')
    expect(photoChecks({ ...clean, flags: ['far_from_loss_location'] })[1]?.words).toBe('surveys.checks.far')
    expect(photoChecks({ ...clean, gps_latitude: null })[1]).toEqual({
      key: 'place',
      ok: false,
      words: 'surveys.checks.noGps',
    })
  })
  it('measures distance on the globe', () => {
    expect(distanceMetres([26.0745, 119.2965], [26.0745, 119.2965])).toBe(0)
    expect(distanceMetres([26.0745, 119.2965], [26.0835, 119.2965])).toBeGreaterThan(990)
    expect(distanceMetres([26.0745, 119.2965], [26.0835, 119.2965])).toBeLessThan(1010)
  })
})
