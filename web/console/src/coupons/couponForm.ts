/** Coupon batches for ops: the form checked as merchant-svc's `BatchCreate` checks it, a batch's state at a
 * moment (merchant-svc keeps no status of its own), the member list to issue to, and the reconciliation CSV. */
import { yuanToFen } from '@/format/money'
import { shanghaiInstant } from '@/rewards/rewardForm'

export type CouponKind = 'amount_off' | 'percent_off' | 'free_service'

export interface BatchForm {
  merchantId: string
  title: string
  kind: CouponKind | ''
  amountYuan: string
  percentOff: number | null
  service: string
  validFrom: string | null
  validUntil: string | null
  quantity: number | null
  perMemberLimit: number
}

export function emptyBatchForm(merchantId = ''): BatchForm {
  return {
    merchantId,
    title: '',
    kind: '',
    amountYuan: '',
    percentOff: null,
    service: '',
    validFrom: null,
    validUntil: null,
    quantity: null,
    perMemberLimit: 1,
  }
}

export function validateBatch(form: BatchForm): Record<string, string> {
  const e: Record<string, string> = {}
  if (!form.merchantId) e.merchantId = 'merchant'
  if (!form.title.trim()) e.title = 'title'
  if (!form.kind) e.kind = 'kind'
  if (form.kind === 'amount_off') {
    const fen = yuanToFen(form.amountYuan)
    if (fen === null || fen <= 0) e.amountYuan = 'amount'
  }
  if (form.kind === 'percent_off' && (form.percentOff === null || form.percentOff < 1 || form.percentOff > 99))
    e.percentOff = 'percent'
  if (form.kind === 'free_service' && !form.service.trim()) e.service = 'service'
  const from = shanghaiInstant(form.validFrom)
  const until = shanghaiInstant(form.validUntil)
  if (!from) e.validFrom = 'validFrom'
  if (!until) e.validUntil = 'validUntil'
  else if (from && new Date(until) <= new Date(from)) e.validUntil = 'untilAfterFrom'
  if (form.quantity === null || !Number.isInteger(form.quantity) || form.quantity < 1 || form.quantity > 1_000_000)
    e.quantity = 'quantity'
  if (!Number.isInteger(form.perMemberLimit) || form.perMemberLimit < 1 || form.perMemberLimit > 100)
    e.perMemberLimit = 'limit'
  return e
}

export function batchBody(form: BatchForm) {
  return {
    merchant_id: form.merchantId,
    title: form.title.trim(),
    kind: form.kind as CouponKind,
    amount_off_fen: form.kind === 'amount_off' ? yuanToFen(form.amountYuan) : null,
    percent_off: form.kind === 'percent_off' ? form.percentOff : null,
    service: form.kind === 'free_service' ? form.service.trim() : null,
    valid_from: shanghaiInstant(form.validFrom) ?? '',
    valid_until: shanghaiInstant(form.validUntil) ?? '',
    quantity: form.quantity ?? 0,
    per_member_limit: form.perMemberLimit,
  }
}

export type BatchState = 'upcoming' | 'active' | 'exhausted' | 'expired'

export function batchState(
  batch: { valid_from: string; valid_until: string; quantity: number; issued_count: number },
  now: Date = new Date(),
): BatchState {
  if (new Date(batch.valid_until) <= now) return 'expired'
  if (batch.issued_count >= batch.quantity) return 'exhausted'
  if (new Date(batch.valid_from) > now) return 'upcoming'
  return 'active'
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Member ids pasted one a line (or separated by commas/spaces): the ids, and what is not one. */
export function memberIds(text: string): { ids: string[]; bad: string[] } {
  const parts = text
    .split(/[\s,，;；]+/)
    .map((p) => p.trim())
    .filter(Boolean)
  const ids = [...new Set(parts.filter((p) => UUID.test(p)).map((p) => p.toLowerCase()))]
  return { ids, bad: parts.filter((p) => !UUID.test(p)) }
}

/** The reconciliation as CSV (money in yuan with two decimals, as the accountants read it). */
export function reconciliationCsv(
  lines: { title: string; kind: string; issued: number; redeemed: number; amount_off_fen: number }[],
  header: string[],
  kindLabel: (kind: string) => string,
): string {
  const cell = (value: string | number) => {
    const text = String(value)
    return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
  }
  const rows = lines.map((l) => [l.title, kindLabel(l.kind), l.issued, l.redeemed, (l.amount_off_fen / 100).toFixed(2)])
  return [header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n'
}
