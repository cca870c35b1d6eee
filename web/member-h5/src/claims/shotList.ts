/**
 * The guided photo survey's progress ("one tip, one picture"): which shots are still needed — every
 * required one at first, only the re-shoot requests after a surveyor asked — as claims-svc counts them.
 */

export interface Shot {
  code: string
  label: string
  instruction: string
  required: boolean
  reshoot_requested: boolean
  photo: { id: string; flags: string[] } | null
}

export interface Survey {
  claim_status: string
  slots: Shot[]
  missing_required: string[]
}

export interface ShotProgress {
  /** Re-shoot round: only the asked shots count. */
  reshoot: boolean
  /** The shots that count now, in the list's order. */
  needed: Shot[]
  done: number
  total: number
  /** 0–100, whole. */
  percent: number
  /** Every needed shot is in and the photos may be handed to the surveyor. */
  complete: boolean
  /** The first needed shot still missing (where "next" goes). */
  next: Shot | null
  /** Photos may still be added or replaced. */
  open: boolean
}

const UPLOADABLE = new Set(['reported', 'liability_pending', 'liability_agreed', 'survey_pending', 'reshoot_requested'])

export function shotProgress(survey: Survey): ShotProgress {
  const reshoot = survey.claim_status === 'reshoot_requested'
  const needed = survey.slots.filter((s) => (reshoot ? s.reshoot_requested : s.required))
  const missing = new Set(survey.missing_required)
  const done = needed.filter((s) => !missing.has(s.code)).length
  const total = needed.length
  const open = UPLOADABLE.has(survey.claim_status)
  return {
    reshoot,
    needed,
    done,
    total,
    percent: total === 0 ? 100 : Math.floor((done * 100) / total),
    complete: open && done === total,
    next: needed.find((s) => missing.has(s.code)) ?? null,
    open,
  }
}

/** Whether a shot still waits for a photo (a re-shoot asked for counts as waiting, old photo or not). */
export function isMissing(survey: Survey, code: string): boolean {
  return survey.missing_required.includes(code)
}
