import { describe, expect, it } from 'vitest'
import { idCheckCharacter, idNumberProblem, isMobile, isPlate } from './identifiers'

describe('GB 11643 ID-card numbers', () => {
  it('computes the MOD 11-2 check character', () => {
    // The standard's own example, and a number whose check character is X.
    expect(idCheckCharacter('11010519491231002')).toBe('X')
    expect(idCheckCharacter('44052418800101001')).toBe('4')
    expect(idCheckCharacter('35010219900307123')).toBe('4')
  })
  it('accepts a valid number, lower-case x and spaces included', () => {
    expect(idNumberProblem('11010519491231002X')).toBeNull()
    expect(idNumberProblem('110105 19491231 002x')).toBeNull()
    expect(idNumberProblem('350102199003071234')).toBeNull()
    expect(idNumberProblem('440524188001010014')).toBe('birth') // before 1900, as member-svc refuses
  })
  it('names what is wrong', () => {
    expect(idNumberProblem('11010519491231002')).toBe('format')
    expect(idNumberProblem('110105194912310021')).toBe('check')
    expect(idNumberProblem('110105194902300025')).toBe('birth') // 30 February
    expect(idNumberProblem('110105209912310021', new Date('2026-01-01'))).toBe('birth') // not born yet
  })
})

describe('phones and plates', () => {
  it('knows a mainland mobile', () => {
    expect(isMobile('13800138000')).toBe(true)
    expect(isMobile('+86 138-0013-8000')).toBe(true)
    expect(isMobile('12800138000')).toBe(false)
  })
  it('knows plates, new-energy ones too', () => {
    expect(isPlate('闽A12345')).toBe(true)
    expect(isPlate('闽a·d12345')).toBe(true)
    expect(isPlate('闽AD12345')).toBe(true)
    expect(isPlate('闽A12345F')).toBe(true)
    expect(isPlate('闽I12345')).toBe(false)
    expect(isPlate('A12345')).toBe(false)
  })
})
