/**
 * The tokens of one signed-in person, kept in localStorage under a key of the app's own, refreshed once
 * for all callers at a time (single flight), and dropped when the gateway refuses the refresh token.
 */
import createClient from 'openapi-fetch'
import type { components, paths } from './schema'
import type { SessionHooks } from './index'

export type TokenRead = components['schemas']['TokenRead']

export interface StoredSession {
  accessToken: string
  refreshToken: string
  role: string
  subject: string
  memberId: string | null
  staffId: string | null
  merchantId: string | null
  /** The merchant user's role (merchant_admin, dispatcher, technician, integration) for merchant staff. */
  merchantRole: string | null
  /** Epoch milliseconds after which the access token is no longer accepted. */
  expiresAt: number
}

export function fromTokens(
  tokens: TokenRead & { merchant_id?: string | null; merchant_role?: string | null },
): StoredSession {
  return {
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    role: tokens.role,
    subject: tokens.subject,
    memberId: tokens.member_id ?? null,
    staffId: tokens.staff_id ?? null,
    merchantId: tokens.merchant_id ?? null,
    merchantRole: tokens.merchant_role ?? null,
    expiresAt: Date.now() + tokens.expires_in * 1000,
  }
}

export class TokenStore implements SessionHooks {
  private current: StoredSession | null
  private refreshing: Promise<boolean> | null = null
  private readonly listeners = new Set<(session: StoredSession | null) => void>()

  constructor(
    private readonly storageKey: string,
    private readonly baseUrl = '',
    private readonly storage: Storage = localStorage,
  ) {
    this.current = TokenStore.read(storage, storageKey)
  }

  private static read(storage: Storage, key: string): StoredSession | null {
    try {
      const raw = storage.getItem(key)
      return raw ? (JSON.parse(raw) as StoredSession) : null
    } catch {
      return null
    }
  }

  get session(): StoredSession | null {
    return this.current
  }

  onChange(listener: (session: StoredSession | null) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  set(session: StoredSession | null): void {
    this.current = session
    if (session) this.storage.setItem(this.storageKey, JSON.stringify(session))
    else this.storage.removeItem(this.storageKey)
    for (const listener of this.listeners) listener(session)
  }

  accessToken(): string | null {
    return this.current?.accessToken ?? null
  }

  refresh(): Promise<boolean> {
    this.refreshing ??= this.trade().finally(() => {
      this.refreshing = null
    })
    return this.refreshing
  }

  private async trade(): Promise<boolean> {
    const refreshToken = this.current?.refreshToken
    if (!refreshToken) return false
    try {
      // A bare client: the session's own middleware must not try to refresh the refresh.
      const { data } = await createClient<paths>({ baseUrl: this.baseUrl }).POST('/api/v1/auth/refresh', {
        body: { refresh_token: refreshToken },
      })
      if (!data) return false
      this.set(fromTokens(data))
      return true
    } catch {
      return false
    }
  }

  signedOut(): void {
    this.set(null)
  }
}
