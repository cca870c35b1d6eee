/**
 * An order's progress as the member follows it: requested → dispatched → accepted → arrived →
 * in service → completed. privilege-svc tells the member when the order was requested, accepted,
 * started, completed or cancelled; dispatch (to a merchant) and arrival have no time on the member's
 * side, so those steps show as done without a time once a later step happened, or as the step under
 * way while the order waits for them.
 */
import type { components } from '@cheyou/api'

type Order = components['schemas']['OrderRead']

export const STEPS = ['requested', 'dispatched', 'accepted', 'arrived', 'in_service', 'completed'] as const
export type Step = (typeof STEPS)[number]

export interface TimelineStep {
  step: Step | 'cancelled' | 'unplaceable'
  state: 'done' | 'current' | 'todo' | 'skipped'
  /** ISO time when known. */
  at: string | null
}

/** How far the order got: the index in STEPS of the last step known to have happened. */
function reached(order: Order): number {
  if (order.completed_at || order.status === 'completed') return 5
  if (order.started_at || order.status === 'in_service') return 4
  if (order.accepted_at || order.status === 'accepted') return 2
  return 0
}

export function timeline(order: Order): TimelineStep[] {
  const last = reached(order)
  const times: Record<Step, string | null> = {
    requested: order.created_at,
    dispatched: null,
    accepted: order.accepted_at,
    arrived: null,
    in_service: order.started_at,
    completed: order.completed_at,
  }
  const ended = order.status === 'cancelled' || order.status === 'unplaceable'
  const steps: TimelineStep[] = STEPS.map((step, index) => {
    if (index <= last) return { step, state: 'done', at: times[step] }
    if (ended) return { step, state: 'skipped', at: null }
    // The step after the last known one is under way (the merchant is being found, is on the way…).
    if (index === last + 1) return { step, state: 'current', at: null }
    return { step, state: 'todo', at: null }
  })
  if (order.status === 'cancelled') steps.push({ step: 'cancelled', state: 'done', at: order.cancelled_at })
  if (order.status === 'unplaceable') steps.push({ step: 'unplaceable', state: 'done', at: null })
  return steps
}

/** Whether the member may still cancel (unpaid, or before the service starts). */
export function cancellable(order: Order): boolean {
  return order.status === 'awaiting_payment' || order.status === 'requested' || order.status === 'accepted'
}

/** Still moving: worth asking the server again in a while (a payment, a merchant, a refund under way). */
export function inProgress(order: Order): boolean {
  return (
    order.status === 'awaiting_payment' ||
    order.status === 'requested' ||
    order.status === 'accepted' ||
    order.status === 'in_service' ||
    order.payment?.status === 'refunding'
  )
}

/** Whether the order waits for its payment (before its deadline). */
export function awaitingPayment(order: Order, now: number = Date.now()): boolean {
  return order.status === 'awaiting_payment' && !!order.payment_due_at && Date.parse(order.payment_due_at) > now
}
