/** The tier-rule dry run as the editor shows it: who moves up, who moves down, from which tier to which. */
import type { components } from '@cheyou/api'
import { TIERS, type Tier } from '@/ops/vocabulary'

export type DryRunRead = components['schemas']['DryRunRead']

export interface Move {
  from: Tier
  to: Tier
  members: number
  /** Of a downgrade: those who first wait out the grace period. */
  afterGrace: number
}

export interface MatrixRow {
  from: Tier
  /** Members going to each tier (highest first, as `TIERS`), 0 where nobody goes. */
  to: Record<Tier, number>
  total: number
}

/** TIERS is highest first: a smaller index is a higher tier. */
const rank = (tier: Tier) => TIERS.length - 1 - TIERS.indexOf(tier)

function moves(run: DryRunRead): Move[] {
  return run.moves.map((m) => ({
    from: m.from_tier as Tier,
    to: m.to_tier as Tier,
    members: m.members,
    afterGrace: m.after_grace,
  }))
}

/** Upgrades, highest destination first. */
export function upgrades(run: DryRunRead): Move[] {
  return moves(run)
    .filter((m) => rank(m.to) > rank(m.from))
    .sort((a, b) => rank(b.to) - rank(a.to) || rank(b.from) - rank(a.from))
}

/** Downgrades, highest origin first. */
export function downgrades(run: DryRunRead): Move[] {
  return moves(run)
    .filter((m) => rank(m.to) < rank(m.from))
    .sort((a, b) => rank(b.from) - rank(a.from) || rank(b.to) - rank(a.to))
}

/** The from × to matrix, one row per tier that has members now (highest first). */
export function matrix(run: DryRunRead): MatrixRow[] {
  const rows = new Map<Tier, MatrixRow>()
  for (const move of moves(run)) {
    const row =
      rows.get(move.from) ??
      ({
        from: move.from,
        to: Object.fromEntries(TIERS.map((t) => [t, 0])) as Record<Tier, number>,
        total: 0,
      } as MatrixRow)
    row.to[move.to] += move.members
    row.total += move.members
    rows.set(move.from, row)
  }
  return TIERS.filter((t) => rows.has(t)).map((t) => rows.get(t) as MatrixRow)
}
