/**
 * The reward and flash-sale forms of the mall: what ops typed checked before sending (the same rules as
 * privilege-svc's `RewardCreate`/`FlashSaleCreate`), turned into the API's body, and a flash sale's state.
 * Times are typed as Shanghai wall-clock time ("2026-12-08T10:00:00") and sent as instants (+08:00); the
 * cash part of a points + cash reward is typed in yuan and sent as integer fen.
 */
import { yuanToFen } from '@/format/money'
import { TIERS, type Tier } from '@/ops/vocabulary'

export type RewardKind = 'goods' | 'service' | 'coupon'

export interface RewardForm {
  name: string
  kind: RewardKind | ''
  description: string
  merchantId: string
  couponBatchId: string
  /** Points per tier that may redeem it (a tier left out cannot). */
  prices: Partial<Record<Tier, number | null>>
  stock: number | null
  perMemberLimit: number | null
  visibleFrom: string | null
  visibleUntil: string | null
  startsAt: string | null
  endsAt: string | null
  /** Cash paid with WeChat Pay on top of the points, as typed in yuan ("9.9"); empty or 0: points only. */
  cash: string
}

export interface RewardBody {
  name: string
  kind: RewardKind
  description: string
  merchant_id: string | null
  coupon_batch_id: string | null
  tier_prices: Partial<Record<Tier, number>>
  stock: number
  per_member_limit: number | null
  visible_from: string | null
  visible_until: string | null
  starts_at: string | null
  ends_at: string | null
  cash_price_fen: number
}

/** The most a reward's cash part may be (privilege-svc's `cash_price_fen` ≤ 10,000,000 fen). */
export const MAX_CASH_FEN = 10_000_000

/** The cash part typed in yuan as integer fen: 0 for nothing typed (points only), null when it is not an
 * amount of at most two decimals. */
export function cashFen(typed: string): number | null {
  return typed.trim() === '' ? 0 : yuanToFen(typed)
}

export function emptyRewardForm(flashSale: boolean): RewardForm {
  return {
    name: '',
    kind: '',
    description: '',
    merchantId: '',
    couponBatchId: '',
    prices: {},
    stock: null,
    perMemberLimit: flashSale ? 1 : null,
    visibleFrom: null,
    visibleUntil: null,
    startsAt: null,
    endsAt: null,
    cash: '',
  }
}

/** A Shanghai wall-clock time ("2026-12-08T10:00" or with seconds) as an ISO instant with +08:00. */
export function shanghaiInstant(local: string | null): string | null {
  if (!local) return null
  const trimmed = local.trim().replace(' ', 'T')
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(trimmed)) return null
  return `${trimmed.length === 16 ? `${trimmed}:00` : trimmed}+08:00`
}

const at = (local: string | null) => {
  const iso = shanghaiInstant(local)
  return iso ? new Date(iso).getTime() : null
}

/** Error keys (i18n keys under `rewards.errors`) by field; empty when the form may be sent. */
export function validateReward(form: RewardForm, flashSale: boolean): Record<string, string> {
  const e: Record<string, string> = {}
  if (!form.name.trim()) e.name = 'name'
  else if (form.name.trim().length > 128) e.name = 'nameLong'
  if (!form.kind) e.kind = 'kind'
  if (form.kind === 'coupon') {
    if (!form.merchantId) e.merchantId = 'merchant'
    if (!form.couponBatchId) e.couponBatchId = 'batch'
  }
  const priced = TIERS.filter((tier) => form.prices[tier] !== undefined)
  if (priced.length === 0) e.prices = 'tiers'
  else if (priced.some((tier) => !Number.isInteger(form.prices[tier]) || (form.prices[tier] ?? 0) < 1))
    e.prices = 'points'
  if (form.stock === null || !Number.isInteger(form.stock) || form.stock < 0) e.stock = 'stock'
  if (form.perMemberLimit !== null && (!Number.isInteger(form.perMemberLimit) || form.perMemberLimit < 1))
    e.perMemberLimit = 'limit'
  const cash = cashFen(form.cash)
  if (cash === null) e.cash = 'cash'
  else if (cash > MAX_CASH_FEN) e.cash = 'cashMax'
  if (flashSale && !form.startsAt) e.startsAt = 'startsAt'
  const starts = at(form.startsAt)
  const ends = at(form.endsAt)
  if (starts !== null && ends !== null && ends <= starts) e.endsAt = 'endsAfterStart'
  const from = at(form.visibleFrom)
  const until = at(form.visibleUntil)
  if (from !== null && until !== null && until <= from) e.visibleUntil = 'visibleAfterFrom'
  return e
}

export function rewardBody(form: RewardForm): RewardBody {
  const prices: Partial<Record<Tier, number>> = {}
  for (const tier of TIERS) {
    const points = form.prices[tier]
    if (points !== undefined && points !== null) prices[tier] = points
  }
  const coupon = form.kind === 'coupon'
  return {
    name: form.name.trim(),
    kind: form.kind || 'goods',
    description: form.description.trim(),
    merchant_id: form.merchantId || null,
    coupon_batch_id: coupon ? form.couponBatchId || null : null,
    tier_prices: prices,
    stock: form.stock ?? 0,
    per_member_limit: form.perMemberLimit,
    visible_from: shanghaiInstant(form.visibleFrom),
    visible_until: shanghaiInstant(form.visibleUntil),
    starts_at: shanghaiInstant(form.startsAt),
    ends_at: shanghaiInstant(form.endsAt),
    cash_price_fen: cashFen(form.cash) ?? 0,
  }
}

export type SaleState = 'scheduled' | 'live' | 'soldOut' | 'ended' | 'always'

/** Where a reward (a flash sale above all) stands at `now`. */
export function saleState(
  reward: { stock: number; starts_at?: string | null; ends_at?: string | null },
  now: Date = new Date(),
): SaleState {
  const t = now.getTime()
  if (reward.ends_at && new Date(reward.ends_at).getTime() <= t) return 'ended'
  if (reward.starts_at && new Date(reward.starts_at).getTime() > t) return 'scheduled'
  if (reward.stock <= 0) return 'soldOut'
  return reward.starts_at ? 'live' : 'always'
}

/**
 * The redemption's next steps ops may take (privilege-svc's `RedemptionUpdate`): goods are shipped then
 * delivered, a service is marked delivered; either may be cancelled before. A merchant coupon is issued by
 * merchant-svc (and refunded there when it cannot be): cancelling it here would refund the points while the
 * coupon stays valid, so the console offers nothing for it.
 */
export function redemptionActions(
  status: string,
  kind: RewardKind | undefined,
): ('shipped' | 'delivered' | 'cancelled')[] {
  if (kind === undefined || kind === 'coupon') return []
  if (status === 'redeemed') return kind === 'goods' ? ['shipped', 'cancelled'] : ['delivered', 'cancelled']
  if (status === 'shipped') return ['delivered']
  return []
}
