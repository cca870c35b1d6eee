import { describe, expect, it } from 'vitest'
import { expectedPoints, prizeProblems, prizesOf, type PrizeRow } from './useGames'

const row = (over: Partial<PrizeRow>): PrizeRow => ({
  code: 'yixiu',
  name: '一秀',
  kind: 'points',
  points: 8,
  merchantId: '',
  batchId: '',
  quantity: null,
  percent: 0,
  probability: 17_400 / 46_656,
  ...over,
})

describe('the prize table', () => {
  it('sends only the rows with a prize, odds in ppm for an egg', () => {
    const rows = [row({}), row({ code: 'erju', kind: 'none' })]
    expect(prizesOf('bobing', rows)).toEqual([
      {
        code: 'yixiu',
        name: '一秀',
        kind: 'points',
        points: 8,
        merchant_id: null,
        coupon_batch_id: null,
        quantity: null,
        probability_ppm: null,
      },
    ])
    expect(prizesOf('golden_egg', [row({ percent: 12.5 })])[0]?.probability_ppm).toBe(125_000)
  })
  it('prices a play on average', () => {
    expect(expectedPoints('bobing', [row({})])).toBeCloseTo((17_400 / 46_656) * 8)
    expect(expectedPoints('golden_egg', [row({ percent: 10, points: 50 })])).toBeCloseTo(5)
  })
  it('names what is wrong before sending', () => {
    expect(prizeProblems('bobing', [row({ kind: 'none' })], 100)).toEqual(['games.errors.noPrize'])
    expect(prizeProblems('bobing', [row({ points: 500 })], 100)).toEqual(['games.errors.overBudget'])
    expect(prizeProblems('bobing', [row({ kind: 'coupon', quantity: 3 })], 100)).toEqual(['games.errors.batch'])
    expect(prizeProblems('golden_egg', [row({ percent: 60 }), row({ code: 'b', percent: 50 })], 100)).toEqual([
      'games.errors.odds',
    ])
  })
})
