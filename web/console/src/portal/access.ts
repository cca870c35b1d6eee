/**
 * What a merchant user may do in the portal, by their role at the merchant (merchant-svc's rules, so the
 * portal never offers what the service would refuse), and which steps an order's status allows.
 */

export type MerchantRole = 'merchant_admin' | 'dispatcher' | 'technician' | 'integration'

export const MERCHANT_ROLES: MerchantRole[] = ['merchant_admin', 'dispatcher', 'technician', 'integration']

export function isMerchantRole(value: unknown): value is MerchantRole {
  return typeof value === 'string' && (MERCHANT_ROLES as string[]).includes(value)
}

/** Accept or reject dispatched orders (a technician only carries them out). */
export function takesOrders(role: MerchantRole | null | undefined): boolean {
  return role === 'merchant_admin' || role === 'dispatcher' || role === 'integration'
}

/** Webhook endpoints and their signing secrets: the merchant's administrators and its own server only. */
export function managesWebhooks(role: MerchantRole | null | undefined): boolean {
  return role === 'merchant_admin' || role === 'integration'
}

/** The merchant's users and their API keys. */
export function managesTeam(role: MerchantRole | null | undefined): boolean {
  return role === 'merchant_admin'
}

export type OrderAction = 'accept' | 'reject' | 'arrive' | 'start' | 'complete' | 'fail'

/** An order's status as its merchant sees it (merchant-svc's view adds `rejected` and `expired`). */
export type OrderStatus =
  | 'dispatched'
  | 'accepted'
  | 'arrived'
  | 'in_service'
  | 'completed'
  | 'failed'
  | 'cancelled'
  | 'rejected'
  | 'expired'
  | 'unplaceable'
  | 'awaiting_dispatch'

const STEPS: Record<string, OrderAction[]> = {
  dispatched: ['accept', 'reject'],
  accepted: ['arrive', 'start', 'fail'],
  arrived: ['start', 'fail'],
  in_service: ['complete', 'fail'],
}

/** The steps an order in this status allows this role, in the order a person takes them. */
export function actionsFor(status: string, role: MerchantRole | null | undefined): OrderAction[] {
  const steps = STEPS[status] ?? []
  return steps.filter((step) => (step === 'accept' || step === 'reject' ? takesOrders(role) : role != null))
}

/** Open orders still need something from us; the rest are history. */
export function isOpen(status: string): boolean {
  return status in STEPS
}
