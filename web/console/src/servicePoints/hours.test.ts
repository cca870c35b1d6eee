import { describe, expect, it } from 'vitest'
import { draftOf, hoursOf, summary, uniform } from './hours'

describe('hoursOf', () => {
  it('gives one row per chosen day, in order', () => {
    expect(hoursOf({ days: [3, 1], allDay: false, opens: '09:00', closes: '18:00' })).toEqual([
      { day: 1, opens: '09:00', closes: '18:00' },
      { day: 3, opens: '09:00', closes: '18:00' },
    ])
  })
  it('says round the clock as 00:00–24:00', () => {
    expect(hoursOf({ days: [7], allDay: true, opens: '09:00', closes: '18:00' })).toEqual([
      { day: 7, opens: '00:00', closes: '24:00' },
    ])
  })
})

describe('draftOf', () => {
  it('reads a point back into the form', () => {
    const hours = hoursOf({ days: [1, 2], allDay: false, opens: '20:00', closes: '02:00' })
    expect(draftOf(hours)).toEqual({ days: [1, 2], allDay: false, opens: '20:00', closes: '02:00' })
    expect(uniform(hours)).toBe(true)
  })
  it('starts a new point at 08:00–20:00 every day', () => {
    expect(draftOf([])).toEqual({ days: [1, 2, 3, 4, 5, 6, 7], allDay: false, opens: '08:00', closes: '20:00' })
  })
})

describe('summary', () => {
  it('groups the days of one span', () => {
    const hours = [
      { day: 1, opens: '09:00', closes: '18:00' },
      { day: 2, opens: '09:00', closes: '18:00' },
      { day: 6, opens: '00:00', closes: '24:00' },
    ]
    expect(summary(hours, (d) => `D${d}`, 'all day', 'daily')).toBe('D1、D2 09:00–18:00；D6 all day')
    expect(
      summary(
        hoursOf({ days: [1, 2, 3, 4, 5, 6, 7], allDay: false, opens: '08:00', closes: '20:00' }),
        String,
        'x',
        '每天',
      ),
    ).toBe('每天 08:00–20:00')
    expect(uniform(hours)).toBe(false)
  })
})
