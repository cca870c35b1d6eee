import { describe, expect, it } from 'vitest'
import { profileOf } from './profile'

const words: Record<string, string> = { 'ops.genders.female': '女', 'ops.genders.male': '男' }
const t = (key: string, values?: Record<string, unknown>) =>
  key === 'members.bornIn' ? `${String(values?.year)} 年生` : (words[key] ?? key)

describe('profileOf', () => {
  it('puts gender and birth year in words', () => {
    expect(profileOf({ gender: 'female', birth_year: 1986 }, t)).toBe('女 · 1986 年生')
  })
  it('shows a dash when the viewer gets the ID digits instead', () => {
    expect(profileOf({ gender: null, birth_year: null }, t)).toBe('—')
  })
})
