// The client against a real local HTTP server speaking the gateway's answers: problems become ApiErrors,
// a 401 refreshes once and repeats the request with its body, a refused refresh signs the person out.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiError, createApi, describeError, type SessionHooks } from './index'

let server: Server
let base = ''
const seen: { path: string; auth: string | undefined; body: string }[] = []

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString()
}

beforeAll(async () => {
  server = createServer(async (request, response) => {
    const body = await bodyOf(request)
    seen.push({ path: request.url ?? '', auth: request.headers.authorization, body })
    const problem = (status: number, type: string, detail: string, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/problem+json', ...headers })
      response.end(JSON.stringify({ type: `https://cheyou.dev/problems/${type}`, title: type, status, detail }))
    }
    if (request.url === '/api/v1/auth/otp') return problem(429, 'rate-limited', 'slow down', { 'Retry-After': '42' })
    if (request.url === '/api/v1/me') {
      if (request.headers.authorization === 'Bearer fresh') {
        response.writeHead(200, { 'content-type': 'application/json' })
        return response.end(JSON.stringify({ member_id: 'm1', echoed: body }))
      }
      return problem(401, 'unauthorized', 'expired')
    }
    problem(422, 'validation', 'body.phone: too short')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

function hooks(token: string | null, refreshTo: string | null): SessionHooks & { out: boolean } {
  let current = token
  return {
    out: false,
    accessToken: () => current,
    async refresh() {
      if (!refreshTo) return false
      current = refreshTo
      return true
    },
    signedOut() {
      this.out = true
    },
  }
}

describe('createApi', () => {
  it('turns a problem into an ApiError with its kind, slug and Retry-After', async () => {
    const api = createApi(hooks(null, null), base)
    const error = await api.POST('/api/v1/auth/otp', { body: { phone: '13800138000' } }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect((error as ApiError).kind).toBe('rate-limited')
    expect((error as ApiError).slug).toBe('rate-limited')
    expect((error as ApiError).retryAfter).toBe(42)
  })

  it('refreshes once on a 401 and sends the same request again', async () => {
    const session = hooks('stale', 'fresh')
    const api = createApi(session, base)
    const { data } = await api.GET('/api/v1/me')
    expect(data?.member_id).toBe('m1')
    expect(seen.filter((s) => s.path === '/api/v1/me').map((s) => s.auth)).toEqual(['Bearer stale', 'Bearer fresh'])
    expect(session.out).toBe(false)
  })

  it('signs out when the refresh is refused', async () => {
    const session = hooks('stale', null)
    const api = createApi(session, base)
    const error = await api.GET('/api/v1/me').catch((e: unknown) => e)
    expect((error as ApiError).kind).toBe('unauthorized')
    expect(session.out).toBe(true)
  })

  it('says the network is gone when nothing answers', async () => {
    const api = createApi(hooks(null, null), 'http://127.0.0.1:9')
    const error = await api.GET('/api/v1/me').catch((e: unknown) => e)
    expect((error as ApiError).kind).toBe('network')
  })
})

describe('describeError', () => {
  const words: Record<string, string> = {
    'errors.invalid': '填写的内容有误',
    'errors.rate-limited': '请 {seconds} 秒后再试',
    'problems.invalid-credentials': '用户名或密码错误',
  }
  const t = (key: string, named?: Record<string, unknown>) =>
    (words[key] ?? key).replace('{seconds}', String(named?.seconds ?? ''))
  const te = (key: string) => key in words

  it('prefers the words for the problem type', () => {
    const error = new ApiError(401, { status: 401, type: 'https://cheyou.dev/problems/invalid-credentials' })
    expect(describeError(error, t, te)).toBe('用户名或密码错误')
  })
  it('says how long to wait', () => {
    expect(describeError(new ApiError(429, { status: 429 }, 30), t, te)).toBe('请 30 秒后再试')
  })
  it('keeps a Chinese detail and replaces an English one', () => {
    expect(describeError(new ApiError(422, { status: 422, detail: '车牌号格式不正确' }), t, te)).toBe(
      '车牌号格式不正确',
    )
    expect(describeError(new ApiError(422, { status: 422, detail: 'body.plate: bad' }), t, te)).toBe('填写的内容有误')
  })
})
