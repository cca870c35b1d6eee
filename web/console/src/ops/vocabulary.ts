/** The codes the services use for tiers, interests, genders and channels (labels in ops/messages.ts). */
export const TIERS = ['five_star', 'four_star', 'three_star', 'ordinary', 'prospective'] as const
export type Tier = (typeof TIERS)[number]

/** member-svc's `Interest` codes (members/schemas.py). */
export const INTERESTS = [
  'photography',
  'self_drive',
  'sports',
  'family',
  'travel',
  'food',
  'yoga',
  'badminton',
  'basketball',
  'charity',
  'cars',
  'movies',
  'lectures',
] as const

export const GENDERS = ['male', 'female'] as const
export const CHANNELS = ['wechat', 'sms', 'inbox'] as const
export type Channel = (typeof CHANNELS)[number]
export const JOIN_CHANNELS = ['web', 'wechat', 'manager_invite', 'import'] as const

/** Region prefixes ops target most (GB/T 2260): Fuzhou and its districts and counties. */
export const REGIONS = [
  '3501',
  '350102',
  '350103',
  '350104',
  '350105',
  '350111',
  '350112',
  '350121',
  '350122',
  '350128',
  '350181',
] as const

/** Days as the services take them: an instant in Shanghai (`2026-12-07` → `2026-12-07T00:00:00+08:00`). */
export function shanghaiMidnight(day: string): string {
  return `${day}T00:00:00+08:00`
}

/** The day after `day` (YYYY-MM-DD), for periods whose end the services take as exclusive. */
export function nextDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  const next = new Date(Date.UTC(y, m - 1, d + 1))
  return next.toISOString().slice(0, 10)
}
