/** privilege-svc's club games for ops: create (prizes, budget, odds), publish, close, top up, odds, fairness, audit. */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'

export type Game = components['schemas']['GameRead']
export type GameCreate = components['schemas']['GameCreate']
export type PrizeIn = components['schemas']['GamePrizeIn']
export type Odds = components['schemas']['GameOddsRead']
export type Fairness = components['schemas']['GameFairnessRead']
export type Audit = components['schemas']['GameAuditRead']

const one = (id: string) => ({ params: { path: { game_id: id } } })

export function useGames() {
  return {
    list: (cursor?: string) => must(api.GET('/api/v1/games', { params: { query: { cursor, limit: 20 } } })),
    ranking: () => must(api.GET('/api/v1/games/bobing-ranking')),
    create: (body: GameCreate) => must(api.POST('/api/v1/games', { body })),
    get: (id: string) => must(api.GET('/api/v1/games/{game_id}', one(id))),
    odds: (id: string) => must(api.GET('/api/v1/games/{game_id}/odds', one(id))),
    publish: (id: string) => must(api.POST('/api/v1/games/{game_id}/publish', one(id))),
    close: (id: string) => must(api.POST('/api/v1/games/{game_id}/close', one(id))),
    topUp: (id: string, points: number) =>
      must(api.POST('/api/v1/games/{game_id}/budget-top-ups', { ...one(id), body: { points } })),
    fairness: (id: string) => must(api.GET('/api/v1/games/{game_id}/fairness', one(id))),
    audit: (id: string, memberId: string, day: string) =>
      must(
        api.GET('/api/v1/games/{game_id}/audit', {
          params: { path: { game_id: id }, query: { member_id: memberId, day } },
        }),
      ),
  }
}

/** One row of the prize table ops fill in: an outcome (博饼) or a prize of its own (golden egg). */
export interface PrizeRow {
  code: string
  name: string
  kind: 'none' | 'points' | 'coupon'
  points: number
  merchantId: string
  batchId: string
  quantity: number | null
  /** Golden egg only: the odds in percent. */
  percent: number
  /** 博饼 only: the outcome's exact probability. */
  probability: number
}

/** The prizes as the service takes them (rows without a prize left out), or the first problem in words. */
export function prizesOf(kind: 'bobing' | 'golden_egg', rows: PrizeRow[]): PrizeIn[] {
  return rows
    .filter((row) => row.kind !== 'none')
    .map((row) => ({
      code: row.code,
      name: row.name.trim() || row.code,
      kind: row.kind as 'points' | 'coupon',
      points: row.kind === 'points' ? row.points : null,
      merchant_id: row.kind === 'coupon' ? row.merchantId.trim() : null,
      coupon_batch_id: row.kind === 'coupon' ? row.batchId.trim() : null,
      quantity: row.kind === 'coupon' ? row.quantity : row.quantity || null,
      probability_ppm: kind === 'golden_egg' ? Math.round(row.percent * 10_000) : null,
    }))
}

/** Expected points one play costs the budget: Σ probability × points over the points prizes. */
export function expectedPoints(kind: 'bobing' | 'golden_egg', rows: PrizeRow[]): number {
  return rows
    .filter((row) => row.kind === 'points')
    .reduce((sum, row) => sum + (kind === 'bobing' ? row.probability : row.percent / 100) * row.points, 0)
}

/** What is wrong with the table (i18n keys with the row's name), checked before sending. */
export function prizeProblems(kind: 'bobing' | 'golden_egg', rows: PrizeRow[], budget: number): string[] {
  const problems: string[] = []
  const paying = rows.filter((row) => row.kind !== 'none')
  if (!paying.length) problems.push('games.errors.noPrize')
  for (const row of paying) {
    if (row.kind === 'points' && (!row.points || row.points < 1)) problems.push('games.errors.points')
    if (row.kind === 'points' && row.points > budget) problems.push('games.errors.overBudget')
    if (row.kind === 'coupon' && (!row.merchantId.trim() || !row.batchId.trim())) problems.push('games.errors.batch')
    if (row.kind === 'coupon' && !row.quantity) problems.push('games.errors.quantity')
    if (kind === 'golden_egg' && !(row.percent > 0)) problems.push('games.errors.percent')
  }
  if (kind === 'golden_egg' && paying.reduce((sum, row) => sum + row.percent, 0) > 100)
    problems.push('games.errors.odds')
  return [...new Set(problems)]
}
