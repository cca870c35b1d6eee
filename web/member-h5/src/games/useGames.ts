/**
 * Club games on privilege-svc (博饼, 砸金蛋): the games open for my tier with my plays left today, one play
 * (a new Idempotency-Key per tap, so a retried request is the same roll), and each game's published odds.
 */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'

export type Game = components['schemas']['GameRead']
export type Play = components['schemas']['GamePlayRead']
export type Odds = components['schemas']['GameOddsRead']

const one = (id: string) => ({ params: { path: { game_id: id } } })

export const games = {
  list: () => must(api.GET('/api/v1/games', { params: { query: { limit: 50 } } })),
  get: (id: string) => must(api.GET('/api/v1/games/{game_id}', one(id))),
  odds: (id: string) => must(api.GET('/api/v1/games/{game_id}/odds', one(id))),
  play: (id: string, key: string) =>
    must(
      api.POST('/api/v1/games/{game_id}/plays', {
        params: { path: { game_id: id }, header: { 'Idempotency-Key': key } },
      }),
    ),
  plays: (id: string) =>
    must(api.GET('/api/v1/games/{game_id}/plays', { params: { path: { game_id: id }, query: { limit: 10 } } })),
}

/** A fresh key for one tap (crypto.randomUUID where the browser has it). */
export function playKey(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`
}

/** 博饼's red faces: the 4 (and the 1) are red on Chinese dice. */
export const isRed = (face: number) => face === 4 || face === 1

/** A probability as the member reads it: "1.54%", "0.0021%". */
export function percent(p: number): string {
  if (p >= 0.01) return `${(p * 100).toFixed(2)}%`
  return `${(p * 100).toPrecision(2)}%`
}
