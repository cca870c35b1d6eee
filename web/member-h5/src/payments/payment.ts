/**
 * Paying with WeChat Pay, the parts without a browser: time left, the cashier's way back, what WeChat's
 * bridge answered, and where an order's or a redemption's money stands in words.
 */
import type { components } from '@cheyou/api'

export type PaymentSummary = components['schemas']['PaymentSummary']
export type Bridge = components['schemas']['BridgeParameters']
/** What a payment is for: one awaiting order or points + cash redemption. */
export type Payable = { order_id: string } | { redemption_id: string }

/** Whole seconds from `now` (epoch ms) until `due` (ISO), never below 0. */
export function secondsLeft(due: string, now: number): number {
  return Math.max(0, Math.floor((Date.parse(due) - now) / 1000))
}

/** `mm:ss` (or `h:mm:ss` past an hour) for a countdown. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds))
  const two = (n: number) => String(n).padStart(2, '0')
  const hours = Math.floor(s / 3600)
  const minutes = Math.floor((s % 3600) / 60)
  return hours ? `${hours}:${two(minutes)}:${two(s % 60)}` : `${two(minutes)}:${two(s % 60)}`
}

/**
 * WeChat Pay's H5 cashier (`h5_url`) sends the browser back to `redirect_url` after paying; the page we
 * come back to is ours, on our origin, and says a payment is under way (`paying=1`), so it watches for the
 * notification instead of believing the browser.
 */
export function cashierUrl(h5Url: string, back: string): string {
  const separator = h5Url.includes('?') ? '&' : '?'
  return `${h5Url}${separator}redirect_url=${encodeURIComponent(back)}`
}

/** Our page's absolute URL to come back to, with `paying=1` (`base` is the app's base, `/h5/`). */
export function returnUrl(origin: string, base: string, path: string): string {
  const url = new URL(`${base.replace(/\/$/, '')}${path}`, origin)
  url.searchParams.set('paying', '1')
  return url.toString()
}

export type BridgeOutcome = 'ok' | 'cancel' | 'fail'

/** `get_brand_wcpay_request:ok` / `:cancel` / `:fail` (WeChat's bridge); `ok` is no proof of payment. */
export function bridgeOutcome(errMsg: string | undefined): BridgeOutcome {
  if (errMsg === 'get_brand_wcpay_request:ok' || errMsg === 'chooseWXPay:ok') return 'ok'
  if (errMsg && /cancel/i.test(errMsg)) return 'cancel'
  return 'fail'
}

/** The words for where the money stands (keys under `payments.money`), or null when nothing was paid. */
export function moneyKey(summary: PaymentSummary | null | undefined): string | null {
  if (!summary || summary.status === 'unpaid') return null
  return summary.status
}

/** The amount to show beside those words: what went back when refunding or refunded, else what was paid. */
export function moneyAmount(summary: PaymentSummary): number {
  if (summary.status === 'refunding') return summary.refunding_fen
  if (summary.status === 'refunded' || summary.status === 'partly_refunded') return summary.refunded_fen
  return summary.paid_fen
}
