/**
 * The WeChat web authorization in flight, kept in this tab's sessionStorage while the browser visits
 * WeChat's authorize page: the `state` (compared with the one on the way back: a redirect that did not
 * start here is refused before anything is sent) and the `verifier` (never in a URL; the gateway checks it
 * with the code), what it is for (signing in or binding WeChat to the signed-in member) and where to go
 * afterwards.
 */
export type WechatPurpose = 'sign-in' | 'bind'

export interface PendingAuthorization {
  state: string
  verifier: string
  purpose: WechatPurpose
  /** The app path to return to (`next`), as the router writes it (`/me?x=1`, without the /h5 base). */
  next: string
  /** Epoch ms after which the gateway no longer knows the state. */
  expiresAt: number
}

const KEY = 'cheyou.wechat.authorization'

export function keepAuthorization(pending: PendingAuthorization, storage: Storage = sessionStorage): void {
  storage.setItem(KEY, JSON.stringify(pending))
}

export type Returned =
  | { ok: true; pending: PendingAuthorization; code: string }
  | { ok: false; reason: 'none' | 'mismatch' | 'expired' | 'denied' }

/**
 * What came back on the redirect (`code` and `state` from the query) against what this tab kept; the
 * kept authorization is spent either way (a state is good for one try).
 */
export function takeAuthorization(
  query: { code?: unknown; state?: unknown },
  storage: Storage = sessionStorage,
  now: number = Date.now(),
): Returned {
  const raw = storage.getItem(KEY)
  storage.removeItem(KEY)
  let pending: PendingAuthorization | null = null
  try {
    pending = raw ? (JSON.parse(raw) as PendingAuthorization) : null
  } catch {
    pending = null
  }
  if (!pending) return { ok: false, reason: 'none' }
  if (typeof query.state !== 'string' || query.state !== pending.state) return { ok: false, reason: 'mismatch' }
  // WeChat comes back without a code when the person refuses the authorization.
  if (typeof query.code !== 'string' || !query.code) return { ok: false, reason: 'denied' }
  if (now > pending.expiresAt) return { ok: false, reason: 'expired' }
  return { ok: true, pending, code: query.code }
}

/** Only app paths are followed after signing in (an open redirect to another site is not). */
export function safeNext(next: unknown, fallback = '/me'): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.includes('\\')) {
    return fallback
  }
  return next
}
