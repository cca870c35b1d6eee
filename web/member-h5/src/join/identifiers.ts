/**
 * Mainland identifiers checked before sending, as member-svc checks them (member_svc/identifiers.py).
 * The service stays the judge; this only spares the member a round trip for a typo.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK = '10X98765432'

/** The check character of the first 17 digits (GB 11643-1999, ISO 7064 MOD 11-2). */
export function idCheckCharacter(first17: string): string {
  const sum = [...first17].reduce((total, digit, index) => total + Number(digit) * (WEIGHTS[index] ?? 0), 0)
  return CHECK[sum % 11] ?? ''
}

export type IdProblem = 'format' | 'check' | 'birth'

/** Why an 18-character resident ID number is not valid, or null when it is (spaces ignored, x as X). */
export function idNumberProblem(value: string, today: Date = new Date()): IdProblem | null {
  const number = normaliseIdNumber(value)
  if (!/^\d{17}[\dX]$/.test(number)) return 'format'
  const year = Number(number.slice(6, 10))
  const month = Number(number.slice(10, 12))
  const day = Number(number.slice(12, 14))
  const born = new Date(Date.UTC(year, month - 1, day))
  const real = born.getUTCFullYear() === year && born.getUTCMonth() === month - 1 && born.getUTCDate() === day
  if (!real || year < 1900 || born.getTime() > today.getTime()) return 'birth'
  if (number[17] !== idCheckCharacter(number.slice(0, 17))) return 'check'
  return null
}

export function normaliseIdNumber(value: string): string {
  return value.replace(/\s/g, '').toUpperCase()
}

/** A mainland mobile number: 11 digits starting 13–19 (+86, spaces and dashes dropped). */
export function normalisePhone(value: string): string {
  return value.replace(/[\s-]/g, '').replace(/^\+?86/, '')
}

export function isMobile(value: string): boolean {
  return /^1[3-9]\d{9}$/.test(normalisePhone(value))
}

const PROVINCES = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼'
const LETTER = 'A-HJ-NP-Z'
const PLATE = new RegExp(
  `^[${PROVINCES}][${LETTER}](?:[${LETTER}0-9]{4}[${LETTER}0-9挂学警港澳]|[DF][${LETTER}0-9][0-9]{4}|[0-9]{5}[DF])$`,
)

export function normalisePlate(value: string): string {
  return value.replace(/[\s·.-]/g, '').toUpperCase()
}

/** A mainland plate (7 characters, or 8 for new-energy vehicles). */
export function isPlate(value: string): boolean {
  return PLATE.test(normalisePlate(value))
}

/** The interests member-svc accepts (members/schemas.py `Interest`), in the order shown. */
export const INTERESTS = [
  'self_drive',
  'travel',
  'family',
  'food',
  'photography',
  'cars',
  'sports',
  'badminton',
  'basketball',
  'yoga',
  'movies',
  'lectures',
  'charity',
] as const
export type Interest = (typeof INTERESTS)[number]
