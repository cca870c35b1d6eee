import { describe, expect, it } from 'vitest'
import { countdown } from './deadline'

const due = '2026-12-07T02:30:00Z'
const at = (iso: string) => new Date(iso)

describe('the accept deadline counting down', () => {
  it('shows minutes and seconds left, calm with time to spare', () => {
    expect(countdown(due, at('2026-12-07T02:17:55Z'))).toEqual({
      seconds: 725,
      overdue: false,
      clock: '12:05',
      urgency: 'calm',
    })
  })
  it('shows hours past an hour', () => {
    expect(countdown(due, at('2026-12-07T01:27:55Z')).clock).toBe('1:02:05')
  })
  it('turns amber within five minutes and red within the last minute', () => {
    expect(countdown(due, at('2026-12-07T02:25:00Z')).urgency).toBe('soon')
    expect(countdown(due, at('2026-12-07T02:29:00Z')).urgency).toBe('urgent')
  })
  it('rounds a fraction of a second up: the order can still be accepted', () => {
    const left = countdown(due, Date.parse(due) - 400)
    expect(left).toMatchObject({ seconds: 1, overdue: false, clock: '00:01' })
  })
  it('says overdue at and after the deadline, never a negative clock', () => {
    expect(countdown(due, at(due))).toMatchObject({ seconds: 0, overdue: true, clock: '00:00', urgency: 'overdue' })
    expect(countdown(due, at('2026-12-07T03:00:00Z'))).toMatchObject({ seconds: 0, clock: '00:00' })
  })
})
