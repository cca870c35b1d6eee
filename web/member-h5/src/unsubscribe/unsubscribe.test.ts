import { describe, expect, it } from 'vitest'
import { tokenFrom } from './useUnsubscribe'

describe('the unsubscribe link', () => {
  it('carries the invitation token', () => {
    expect(tokenFrom({ invitation: 'Ab3_-9xYz0123456789q' })).toBe('Ab3_-9xYz0123456789q')
  })

  it('is explained, not sent, when the token is missing, cut off or not text', () => {
    expect(tokenFrom({})).toBeNull()
    expect(tokenFrom({ invitation: 'Ab3_-9' })).toBeNull()
    expect(tokenFrom({ invitation: ['Ab3_-9xYz0123456789q'] })).toBeNull()
    expect(tokenFrom({ invitation: 'Ab3 9xYz0123456789q!' })).toBeNull()
  })
})
