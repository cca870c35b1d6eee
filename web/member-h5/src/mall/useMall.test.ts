import { ApiError } from '@cheyou/api'
import { describe, expect, it } from 'vitest'
import { RedeemAttempt } from './useMall'

function keys() {
  let n = 0
  return () => `key-${++n}`
}

describe('RedeemAttempt', () => {
  it('uses a new key per press and the same key when retrying after a lost answer', async () => {
    const attempt = new RedeemAttempt(keys())
    const sent: string[] = []
    await expect(
      attempt.run(async (key) => {
        sent.push(key)
        throw new ApiError(0, { status: 0 })
      }),
    ).rejects.toBeInstanceOf(ApiError)
    expect(attempt.pending).toBe(true)
    await attempt.run(async (key) => sent.push(key))
    await attempt.run(async (key) => sent.push(key))
    expect(sent).toEqual(['key-1', 'key-1', 'key-2'])
  })

  it('ends the attempt when the answer settles it (sold out)', async () => {
    const attempt = new RedeemAttempt(keys())
    await expect(
      attempt.run(async () => {
        throw new ApiError(409, { status: 409, type: 'https://cheyou.dev/problems/sold-out' })
      }),
    ).rejects.toBeInstanceOf(ApiError)
    expect(attempt.pending).toBe(false)
    expect(attempt.keyFor()).toBe('key-2')
  })

  it('keeps the key after a server error', async () => {
    const attempt = new RedeemAttempt(keys())
    await expect(
      attempt.run(async () => {
        throw new ApiError(503, { status: 503 })
      }),
    ).rejects.toBeInstanceOf(ApiError)
    expect(attempt.keyFor()).toBe('key-1')
  })
})
