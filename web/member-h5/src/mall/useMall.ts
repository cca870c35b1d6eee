/**
 * The points mall on privilege-svc (rewards, flash sales, redemptions) and the coupons merchant-svc issues
 * for coupon rewards. Every answer teaches the server clock (`Date` header) that flash sales count down by.
 */
import { ApiError, idempotencyKey, must, type components } from '@cheyou/api'
import { api, tokens } from '@/api'
import { serverClock } from './serverClock'

export type Reward = components['schemas']['RewardRead']
export type Redemption = components['schemas']['RedemptionRead']
export type Coupon = components['schemas']['MemberCoupon']

function me(): string {
  const id = tokens.session?.memberId
  if (!id) throw new Error('not signed in as a member')
  return id
}

/** Calls the API and lets the server clock learn from the answer's `Date` header. */
async function timed<T>(call: () => Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const sent = performance.now()
  const result = await call()
  serverClock.observe(result.response.headers.get('Date'), sent, performance.now())
  return must(Promise.resolve(result))
}

export const mall = {
  tier: () => must(api.GET('/api/v1/members/{member_id}/tier', { params: { path: { member_id: me() } } })),
  balance: () => must(api.GET('/api/v1/points/{member_id}', { params: { path: { member_id: me() } } })),
  rewards: () => timed(() => api.GET('/api/v1/rewards', { params: { query: { limit: 100 } } })),
  flashSales: () => timed(() => api.GET('/api/v1/flash-sales', { params: { query: { limit: 50 } } })),
  reward: (id: string) => timed(() => api.GET('/api/v1/rewards/{reward_id}', { params: { path: { reward_id: id } } })),
  redemption: (id: string) =>
    must(api.GET('/api/v1/rewards/redemptions/{redemption_id}', { params: { path: { redemption_id: id } } })),
  redemptions: (rewardId?: string) =>
    must(api.GET('/api/v1/rewards/redemptions', { params: { query: { reward_id: rewardId, limit: 100 } } })),
  coupons: () => must(api.GET('/api/v1/coupons', { params: { query: { limit: 100 } } })),
  couponQr: async (couponId: string) =>
    (await must(
      api.GET('/api/v1/coupons/{coupon_id}/qr', { params: { path: { coupon_id: couponId } }, parseAs: 'text' }),
    )) as unknown as string,
}

/** Redemptions that hold a unit (not cancelled, refunded or expired unpaid): what counts against the limit. */
export function held(redemptions: Redemption[]): Redemption[] {
  return redemptions.filter((r) => r.status !== 'cancelled' && r.status !== 'refunded' && r.status !== 'expired')
}

/** The price for my tier in words: points, plus cash for a points + cash reward. */
export function priceWords(
  reward: Reward,
  points: number | undefined,
  t: (key: string, values: Record<string, unknown>) => string,
  money: (fen: number) => string,
): string {
  if (reward.cash_price_fen) return t('mall.priceWithCash', { points, cash: money(reward.cash_price_fen) })
  return t('mall.price', { points })
}

/**
 * One press of "redeem" = one attempt with its own Idempotency-Key. A retry of the same attempt (the
 * network dropped, the server failed) sends the same key, so it can never take a second unit; an answer
 * that settles it (success, sold out, limit, not enough points) ends the attempt.
 */
export class RedeemAttempt {
  private key: string | null = null

  constructor(private readonly newKey: () => string = idempotencyKey) {}

  /** The key for this press: the pending one when retrying, else a new one. */
  keyFor(): string {
    this.key ??= this.newKey()
    return this.key
  }

  get pending(): boolean {
    return this.key !== null
  }

  async run<T>(send: (key: string) => Promise<T>): Promise<T> {
    const key = this.keyFor()
    try {
      const result = await send(key)
      this.key = null
      return result
    } catch (caught) {
      const unsettled = !(caught instanceof ApiError) || caught.kind === 'network' || caught.kind === 'server'
      if (!unsettled) this.key = null
      throw caught
    }
  }
}

export function redeem(reward: Reward, key: string, deliveryAddress?: string) {
  const options = {
    params: { path: { reward_id: reward.id }, header: { 'Idempotency-Key': key } },
    body: deliveryAddress ? { delivery_address: deliveryAddress } : {},
  }
  return reward.flash_sale
    ? must(api.POST('/api/v1/flash-sales/{reward_id}/redemptions', options))
    : must(api.POST('/api/v1/rewards/{reward_id}/redemptions', options))
}

/**
 * The coupon a coupon redemption was issued (merchant-svc issues it from the reward's batch a moment after
 * the redemption): the coupon of that batch from the points mall issued first at or after it, not already
 * matched to an earlier redemption of the same batch.
 */
export function couponFor(redemption: Redemption, reward: Reward, all: Redemption[], coupons: Coupon[]): Coupon | null {
  if (reward.kind !== 'coupon' || !reward.coupon_batch_id) return null
  const ofBatch = coupons
    .filter((c) => c.batch_id === reward.coupon_batch_id && c.source === 'points_mall')
    .sort((a, b) => Date.parse(a.issued_at) - Date.parse(b.issued_at))
  const earlier = held(all)
    .filter((r) => r.reward_id === reward.id)
    .sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at))
  const index = earlier.findIndex((r) => r.id === redemption.id)
  return index >= 0 ? (ofBatch[index] ?? null) : null
}
