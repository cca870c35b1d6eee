/**
 * Mainland identifiers checked before sending, as member-svc checks them (member_svc/identifiers.py; the
 * member H5's join/identifiers.ts does the same for members). The service stays the judge.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK = '10X98765432'

export function normaliseIdNumber(value: string): string {
  return value.replace(/\s/g, '').toUpperCase()
}

/** Why an 18-character resident ID number is not valid (`format`, `birth`, `check`), or null. */
export function idNumberProblem(value: string, today: Date = new Date()): 'format' | 'check' | 'birth' | null {
  const number = normaliseIdNumber(value)
  if (!/^\d{17}[\dX]$/.test(number)) return 'format'
  const [year, month, day] = [number.slice(6, 10), number.slice(10, 12), number.slice(12, 14)].map(Number) as [
    number,
    number,
    number,
  ]
  const born = new Date(Date.UTC(year, month - 1, day))
  const real = born.getUTCFullYear() === year && born.getUTCMonth() === month - 1 && born.getUTCDate() === day
  if (!real || year < 1900 || born.getTime() > today.getTime()) return 'birth'
  const sum = [...number.slice(0, 17)].reduce((total, digit, index) => total + Number(digit) * (WEIGHTS[index] ?? 0), 0)
  return number[17] === CHECK[sum % 11] ? null : 'check'
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

export function isPlate(value: string): boolean {
  return PLATE.test(normalisePlate(value))
}

/** A 6-digit administrative division code (GB/T 2260), e.g. 350102. */
export function isRegionCode(value: string): boolean {
  return /^[1-8]\d{5}$/.test(value.trim())
}
