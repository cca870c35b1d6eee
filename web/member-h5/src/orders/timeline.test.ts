import type { components } from '@cheyou/api'
import { describe, expect, it } from 'vitest'
import { awaitingPayment, cancellable, inProgress, timeline } from './timeline'

type Order = components['schemas']['OrderRead']

const base: Order = {
  id: 'o1',
  member_id: 'm1',
  privilege_code: 'after_drinking_driving',
  tier: 'three_star',
  status: 'requested',
  price_fen: 0,
  points_held: 0,
  city_code: '350100',
  appointment_at: null,
  pickup_address: 'a',
  destination_address: 'b',
  vehicle_plate: null,
  flight_no: null,
  notes: null,
  merchant_id: null,
  last_rejection: null,
  created_at: '2026-12-07T12:00:00Z',
  accepted_at: null,
  started_at: null,
  completed_at: null,
  cancelled_at: null,
  cancel_reason: null,
  rating_stars: null,
  rating_comment: null,
}

const states = (order: Order) => timeline(order).map((s) => `${s.step}:${s.state}`)

describe('timeline', () => {
  it('shows a new order waiting for dispatch', () => {
    expect(states(base)).toEqual([
      'requested:done',
      'dispatched:current',
      'accepted:todo',
      'arrived:todo',
      'in_service:todo',
      'completed:todo',
    ])
  })
  it('takes dispatch as done once a merchant accepted, and waits for the arrival', () => {
    const order = { ...base, status: 'accepted' as const, accepted_at: '2026-12-07T12:03:00Z' }
    const steps = timeline(order)
    expect(states(order)).toEqual([
      'requested:done',
      'dispatched:done',
      'accepted:done',
      'arrived:current',
      'in_service:todo',
      'completed:todo',
    ])
    expect(steps[1]?.at).toBeNull()
    expect(steps[2]?.at).toBe('2026-12-07T12:03:00Z')
  })
  it('completes every step', () => {
    const order = {
      ...base,
      status: 'completed' as const,
      accepted_at: '2026-12-07T12:03:00Z',
      started_at: '2026-12-07T12:20:00Z',
      completed_at: '2026-12-07T12:50:00Z',
    }
    expect(timeline(order).every((s) => s.state === 'done')).toBe(true)
    expect(cancellable(order)).toBe(false)
  })
  it('ends a cancelled order with the cancellation, the rest skipped', () => {
    const order = { ...base, status: 'cancelled' as const, cancelled_at: '2026-12-07T12:05:00Z' }
    expect(states(order)).toEqual([
      'requested:done',
      'dispatched:skipped',
      'accepted:skipped',
      'arrived:skipped',
      'in_service:skipped',
      'completed:skipped',
      'cancelled:done',
    ])
    expect(cancellable(base)).toBe(true)
    expect(cancellable({ ...base, status: 'in_service' })).toBe(false)
  })
  it('waits for the payment until its deadline, then no more', () => {
    const unpaid = { ...base, status: 'awaiting_payment' as const, payment_due_at: '2026-12-07T12:15:00Z' }
    expect(awaitingPayment(unpaid, Date.parse('2026-12-07T12:14:59Z'))).toBe(true)
    expect(awaitingPayment(unpaid, Date.parse('2026-12-07T12:15:00Z'))).toBe(false)
    expect(cancellable(unpaid)).toBe(true)
    expect(inProgress(unpaid)).toBe(true)
    expect(inProgress({ ...base, status: 'expired' as const })).toBe(false)
  })
})
