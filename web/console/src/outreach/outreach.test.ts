import { describe, expect, it } from 'vitest'
import { percent } from './useOutreach'

describe('a conversion in words', () => {
  it('is a percentage with one decimal', () => {
    expect(percent(0.3333)).toBe('33.3%')
    expect(percent(1)).toBe('100.0%')
  })

  it('is a dash without any invitation', () => {
    expect(percent(null)).toBe('—')
    expect(percent(undefined)).toBe('—')
  })
})
