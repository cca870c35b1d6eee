/**
 * The one way the front ends talk to the gateway: openapi-fetch over the generated `paths`, with the
 * session's bearer token, one refresh on a 401, and every failure turned into an `ApiError` that carries
 * the RFC 9457 problem the service answered (or says the network is gone).
 */
import createClient, { type Client, type Middleware } from 'openapi-fetch'
import type { paths } from './schema'

export type { paths, components, operations } from './schema'
export { TokenStore, fromTokens, type StoredSession, type TokenRead } from './session'

/** An RFC 9457 problem as the services send it (`errors` lists the fields that are wrong). */
export interface Problem {
  type?: string
  title?: string
  status: number
  detail?: string
  instance?: string
  errors?: { field: string; message: string; code?: string }[]
  [extension: string]: unknown
}

export type ErrorKind =
  'network' | 'unauthorized' | 'forbidden' | 'not-found' | 'conflict' | 'invalid' | 'rate-limited' | 'server'

export class ApiError extends Error {
  readonly kind: ErrorKind
  constructor(
    readonly status: number,
    readonly problem: Problem,
    /** Seconds to wait before trying again (429 and 503 answers). */
    readonly retryAfter: number | null = null,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`)
    this.name = 'ApiError'
    this.kind = kindOf(status)
  }

  /** The last segment of the problem's `type` (`…/problems/invalid-credentials` → `invalid-credentials`). */
  get slug(): string {
    return (this.problem.type ?? '').split('/').pop() ?? ''
  }

  /** The message for one form field (`body.phone` or `phone`), if the service named it. */
  fieldMessage(field: string): string | undefined {
    return this.problem.errors?.find((e) => e.field === field || e.field.endsWith(`.${field}`))?.message
  }
}

export function kindOf(status: number): ErrorKind {
  if (status === 0) return 'network'
  if (status === 401) return 'unauthorized'
  if (status === 403) return 'forbidden'
  if (status === 404) return 'not-found'
  if (status === 409) return 'conflict'
  if (status === 429) return 'rate-limited'
  if (status >= 500) return 'server'
  return 'invalid'
}

/** How the client reaches the session: the current token, a way to refresh it, what to do when it is gone. */
export interface SessionHooks {
  accessToken(): string | null
  /** Trade the refresh token for a new pair; false when there is none or it was refused. */
  refresh(): Promise<boolean>
  /** The session is over (refresh refused): sign in again and come back. */
  signedOut(): void
}

async function problemOf(response: Response): Promise<Problem> {
  const type = response.headers.get('content-type') ?? ''
  if (type.includes('json')) {
    try {
      const body = (await response.clone().json()) as Partial<Problem>
      return { ...body, status: response.status }
    } catch {
      /* not JSON after all: fall through */
    }
  }
  return { status: response.status, title: response.statusText }
}

export function retryAfterOf(response: Response): number | null {
  const value = response.headers.get('Retry-After')
  if (value === null) return null
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return seconds
  const date = Date.parse(value)
  return Number.isNaN(date) ? null : Math.max(0, Math.round((date - Date.now()) / 1000))
}

async function failure(response: Response): Promise<ApiError> {
  return new ApiError(response.status, await problemOf(response), retryAfterOf(response))
}

/**
 * Adds the bearer token; on a 401 refreshes once and sends the same request again (a copy taken before
 * the first send, whose body fetch has consumed); turns any other answer that is not 2xx, and a lost
 * network, into an `ApiError`.
 */
export function sessionMiddleware(hooks: SessionHooks, fetcher: typeof fetch = (r) => fetch(r)): Middleware {
  const copies = new WeakMap<Request, Request>()
  return {
    onRequest({ request }) {
      const token = hooks.accessToken()
      if (token && !request.headers.has('Authorization')) request.headers.set('Authorization', `Bearer ${token}`)
      if (token) copies.set(request, request.clone())
      return request
    },
    async onResponse({ request, response }) {
      if (response.ok) return response
      const copy = copies.get(request)
      if (response.status === 401 && copy) {
        if (await hooks.refresh()) {
          copy.headers.set('Authorization', `Bearer ${hooks.accessToken()}`)
          const retried = await fetcher(copy)
          if (retried.ok) return retried
          if (retried.status !== 401) throw await failure(retried)
        }
        hooks.signedOut()
      }
      throw await failure(response)
    },
    onError({ error }) {
      if (error instanceof ApiError) return error
      return new ApiError(0, { status: 0, title: 'network', detail: String(error) })
    },
  }
}

export type Api = Client<paths>

export function createApi(hooks: SessionHooks, baseUrl = ''): Api {
  const api = createClient<paths>({ baseUrl })
  api.use(sessionMiddleware(hooks))
  return api
}

/** The data of a call that succeeded (errors were already thrown by the middleware). */
export async function must<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, response } = await call
  if (data === undefined && response.status !== 204) throw new ApiError(response.status, { status: response.status })
  return data as T
}

/** A fresh `Idempotency-Key` for one user action (reuse it when retrying the same action). */
export function idempotencyKey(): string {
  return crypto.randomUUID()
}

export { describeError } from './problem'
export { actionRunner, loadInto, type Request, type RequestContext } from './request'
export { formatDate, formatDateTime, shanghaiMinutes, shanghaiToday } from './format/dates'
export { formatFen, yuanToFen } from './format/money'
export { errorMessages } from './errorMessages'
