/**
 * The server's clock as the H5 knows it: learnt from the `Date` header of API answers, carried forward
 * with the page's monotonic clock (`performance.now()`), so a phone whose clock is wrong — or is changed
 * while the page is open — cannot open a flash sale early or make a countdown lie.
 */

/** Epoch milliseconds of the server, or null before any answer was seen. */
export interface Clock {
  now(): number | null
}

export class ServerClock implements Clock {
  /** Server epoch ms at the monotonic instant `mark`, from the most precise answer seen so far. */
  private serverAt: number | null = null
  private mark = 0
  private uncertainty = Number.POSITIVE_INFINITY

  constructor(private readonly monotonic: () => number = () => performance.now()) {}

  /**
   * Learn from one answer: its `Date` header (whole seconds, truncated) and the monotonic instants the
   * request left and the answer arrived. The server wrote the header somewhere in between: take the
   * middle, and half a second into the header's second. The answer with the shortest round trip wins.
   */
  observe(dateHeader: string | null | undefined, sentAt: number, receivedAt: number): void {
    if (!dateHeader) return
    const seconds = Date.parse(dateHeader)
    if (Number.isNaN(seconds) || receivedAt < sentAt) return
    const uncertainty = (receivedAt - sentAt) / 2 + 500
    if (uncertainty > this.uncertainty) return
    this.uncertainty = uncertainty
    this.serverAt = seconds + 500
    this.mark = (sentAt + receivedAt) / 2
  }

  now(): number | null {
    if (this.serverAt === null) return null
    return this.serverAt + (this.monotonic() - this.mark)
  }
}

/** The one clock of the app (flash sales, "ends in" labels). */
export const serverClock = new ServerClock()

export interface Countdown {
  days: number
  hours: number
  minutes: number
  seconds: number
  /** Milliseconds left (0 when the moment has come). */
  left: number
}

/** What is left until `at` (epoch ms) at server time `now`, in whole seconds rounded up. */
export function countdown(at: number, now: number): Countdown {
  const left = Math.max(0, at - now)
  let rest = Math.ceil(left / 1000)
  const days = Math.floor(rest / 86_400)
  rest -= days * 86_400
  const hours = Math.floor(rest / 3600)
  rest -= hours * 3600
  const minutes = Math.floor(rest / 60)
  return { days, hours, minutes, seconds: rest - minutes * 60, left }
}

/** "02:05:09" (hours may pass 24 when `days` is shown apart). */
export function clockText(c: Countdown): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${pad(c.hours)}:${pad(c.minutes)}:${pad(c.seconds)}`
}

export type SalePhase = 'unknown' | 'upcoming' | 'open' | 'sold-out' | 'limit-reached' | 'ended'

export interface SaleFacts {
  starts_at: string | null
  ends_at: string | null
  stock: number
  per_member_limit: number | null
}

/** Where a flash sale stands for this member at server time `now` (null: not known yet). */
export function salePhase(sale: SaleFacts, now: number | null, mine: number): SalePhase {
  if (now === null) return 'unknown'
  if (sale.ends_at && Date.parse(sale.ends_at) <= now) return 'ended'
  if (sale.starts_at && Date.parse(sale.starts_at) > now) return 'upcoming'
  if (sale.per_member_limit !== null && mine >= sale.per_member_limit) return 'limit-reached'
  if (sale.stock <= 0) return 'sold-out'
  return 'open'
}
