import { describe, expect, it } from 'vitest'
import { attainment, monthRange } from './useManager'

describe('monthRange', () => {
  it('runs from the first to the last day, never past today', () => {
    expect(monthRange('2026-11', '2026-12-07')).toEqual(['2026-11-01', '2026-11-30'])
    expect(monthRange('2026-12', '2026-12-07')).toEqual(['2026-12-01', '2026-12-07'])
    expect(monthRange('2024-02', '2026-12-07')).toEqual(['2024-02-01', '2024-02-29'])
  })
})

describe('attainment', () => {
  it('is joins against the target, none without a target', () => {
    expect(attainment(6, 24)).toBe(25)
    expect(attainment(3, 0)).toBeNull()
  })
})
