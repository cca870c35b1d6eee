/** A member's coupon at our counter: what a code is worth, and redeeming it exactly once. */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'

export type Coupon = components['schemas']['MemberCoupon']

export function lookUp(code: string): Promise<Coupon> {
  return must(api.GET('/api/v1/merchant-api/coupons/{code}', { params: { path: { code } } }))
}

export function redeem(code: string): Promise<Coupon> {
  return must(api.POST('/api/v1/merchant-api/coupons/redeem', { body: { code } }))
}

/** Whether the coupon can be redeemed now: unused and within its dates. */
export function redeemable(coupon: Coupon, now: number = Date.now()): boolean {
  return coupon.status === 'issued' && Date.parse(coupon.valid_from) <= now && now <= Date.parse(coupon.valid_until)
}
