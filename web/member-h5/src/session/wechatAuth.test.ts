import { describe, expect, it } from 'vitest'
import { keepAuthorization, safeNext, takeAuthorization, type PendingAuthorization } from './wechatAuth'

function storage(): Storage {
  const data = new Map<string, string>()
  return {
    get length() {
      return data.size
    },
    clear: () => data.clear(),
    getItem: (key) => data.get(key) ?? null,
    key: (index) => [...data.keys()][index] ?? null,
    removeItem: (key) => void data.delete(key),
    setItem: (key, value) => void data.set(key, value),
  }
}

const pending: PendingAuthorization = {
  state: 'a'.repeat(32),
  verifier: 'v'.repeat(43),
  purpose: 'sign-in',
  next: '/privileges',
  expiresAt: 1_000_000,
}

describe('takeAuthorization', () => {
  it('gives the code back when the state is the one this tab kept, once', () => {
    const kept = storage()
    keepAuthorization(pending, kept)
    expect(takeAuthorization({ code: 'c0de', state: pending.state }, kept, 999_999)).toEqual({
      ok: true,
      pending,
      code: 'c0de',
    })
    expect(takeAuthorization({ code: 'c0de', state: pending.state }, kept, 999_999)).toEqual({
      ok: false,
      reason: 'none',
    })
  })

  it('refuses a state this tab did not start (login CSRF) and spends the kept one', () => {
    const kept = storage()
    keepAuthorization(pending, kept)
    expect(takeAuthorization({ code: 'planted', state: 'b'.repeat(32) }, kept, 0)).toEqual({
      ok: false,
      reason: 'mismatch',
    })
    expect(kept.length).toBe(0)
  })

  it('knows a refused authorization (no code) and an expired state', () => {
    const kept = storage()
    keepAuthorization(pending, kept)
    expect(takeAuthorization({ state: pending.state }, kept, 0)).toEqual({ ok: false, reason: 'denied' })
    keepAuthorization(pending, kept)
    expect(takeAuthorization({ code: 'c', state: pending.state }, kept, 1_000_001)).toEqual({
      ok: false,
      reason: 'expired',
    })
  })

  it('says none when nothing was kept (a bookmarked callback)', () => {
    expect(takeAuthorization({ code: 'c', state: 's' }, storage())).toEqual({ ok: false, reason: 'none' })
  })
})

describe('safeNext', () => {
  it('follows app paths only', () => {
    expect(safeNext('/orders/1?x=2')).toBe('/orders/1?x=2')
    expect(safeNext('//evil.example/')).toBe('/me')
    expect(safeNext('https://evil.example/')).toBe('/me')
    expect(safeNext('/\\evil')).toBe('/me')
    expect(safeNext(undefined)).toBe('/me')
  })
})
