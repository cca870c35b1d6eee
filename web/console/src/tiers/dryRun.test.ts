import { describe, expect, it } from 'vitest'
import { downgrades, matrix, upgrades, type DryRunRead } from './dryRun'

const run: DryRunRead = {
  rules_version: 3,
  evaluated_on: '2026-12-07',
  members: 10,
  upgrades: 3,
  downgrades: 2,
  downgrades_after_grace: 1,
  unchanged: 5,
  moves: [
    { from_tier: 'ordinary', to_tier: 'ordinary', members: 4, after_grace: 0 },
    { from_tier: 'ordinary', to_tier: 'three_star', members: 1, after_grace: 0 },
    { from_tier: 'three_star', to_tier: 'four_star', members: 2, after_grace: 0 },
    { from_tier: 'three_star', to_tier: 'three_star', members: 1, after_grace: 0 },
    { from_tier: 'four_star', to_tier: 'three_star', members: 1, after_grace: 1 },
    { from_tier: 'five_star', to_tier: 'ordinary', members: 1, after_grace: 0 },
  ],
}

describe('the dry run', () => {
  it('lists upgrades highest destination first', () => {
    expect(upgrades(run).map((m) => [m.from, m.to, m.members])).toEqual([
      ['three_star', 'four_star', 2],
      ['ordinary', 'three_star', 1],
    ])
  })

  it('lists downgrades highest origin first, with those waiting for the grace', () => {
    expect(downgrades(run).map((m) => [m.from, m.to, m.members, m.afterGrace])).toEqual([
      ['five_star', 'ordinary', 1, 0],
      ['four_star', 'three_star', 1, 1],
    ])
  })

  it('builds the from × to matrix of the tiers that have members', () => {
    const rows = matrix(run)
    expect(rows.map((r) => r.from)).toEqual(['five_star', 'four_star', 'three_star', 'ordinary'])
    expect(rows[2]).toEqual({
      from: 'three_star',
      to: { five_star: 0, four_star: 2, three_star: 1, ordinary: 0, prospective: 0 },
      total: 3,
    })
    expect(rows.reduce((sum, r) => sum + r.total, 0)).toBe(run.members)
  })
})
