/**
 * When the member card's code stops working and when to fetch a new one. The code in the QR is signed
 * with an expiry (member-svc `MEMBER_CARD_CODE_TTL_SECONDS`, 300 s by default); the PNG does not say it,
 * so the card is taken to expire that long after it was fetched, unless the answer says otherwise
 * (`Expires`, or `X-Card-Expires-At` in epoch seconds, should the service send one).
 */
export const DEFAULT_CARD_TTL_MS = 300_000
/** Fetch a new code this long before the old one expires (a slow network, a merchant's slow scanner). */
export const REFRESH_MARGIN_MS = 60_000
/** Never refresh more often than this (a very short TTL or a clock gone wrong). */
export const MIN_REFRESH_MS = 15_000

export function cardExpiresAt(fetchedAt: number, headers?: Pick<Headers, 'get'>): number {
  const explicit = Number(headers?.get('X-Card-Expires-At'))
  if (Number.isFinite(explicit) && explicit > 0) return explicit * 1000
  const expires = Date.parse(headers?.get('Expires') ?? '')
  if (!Number.isNaN(expires) && expires > fetchedAt) return expires
  return fetchedAt + DEFAULT_CARD_TTL_MS
}

/** Milliseconds from `now` until the card should be fetched again. */
export function refreshDelay(expiresAt: number, now: number): number {
  const lifetimeLeft = expiresAt - now
  // Halfway through a short remaining life, else a margin before the end.
  const due = lifetimeLeft > 2 * REFRESH_MARGIN_MS ? lifetimeLeft - REFRESH_MARGIN_MS : lifetimeLeft / 2
  return Math.max(MIN_REFRESH_MS, Math.round(due))
}

/** Whether a card shown since `expiresAt` must be fetched before it is shown again (back from background). */
export function isStale(expiresAt: number, now: number): boolean {
  return expiresAt - now < REFRESH_MARGIN_MS
}
