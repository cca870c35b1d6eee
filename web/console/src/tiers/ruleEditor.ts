/**
 * The tier-rule editor's model: ops edit amounts in yuan, member-svc keeps them in fen. `formFromRules`
 * fills the form from the version in force, `validateRules` says what is wrong before anything is sent
 * (the same bounds as member-svc's RulesDocument), `changesBetween` lists what the new version changes,
 * and `rulesRequest` is the body of `POST /api/v1/tier-rules`.
 */
import type { components } from '@cheyou/api'

export type RulesDocument = components['schemas']['RulesDocument']
export type RulesCreate = components['schemas']['RulesCreate']

export interface RuleForm {
  premiumWeight: number
  perYearYuan: number
  maxYears: number
  perExtraLineYuan: number
  perRenewalYuan: number
  maxRenewals: number
  perClaimYuan: number
  claimsWindowDays: number
  threeStarYuan: number
  fourStarYuan: number
  fiveStarYuan: number
  graceDays: number
  note: string
}

export type RuleField = Exclude<keyof RuleForm, 'note'>

/** Each parameter: its place in the document, whether it is money, and member-svc's bounds. */
export const FIELDS: { field: RuleField; money: boolean; min: number; max: number; minExclusive?: boolean }[] = [
  { field: 'premiumWeight', money: false, min: 0, max: 10 },
  { field: 'perYearYuan', money: true, min: 0, max: 10_000_000 },
  { field: 'maxYears', money: false, min: 0, max: 50 },
  { field: 'perExtraLineYuan', money: true, min: 0, max: 10_000_000 },
  { field: 'perRenewalYuan', money: true, min: 0, max: 10_000_000 },
  { field: 'maxRenewals', money: false, min: 0, max: 50 },
  { field: 'perClaimYuan', money: true, min: 0, max: 10_000_000 },
  { field: 'claimsWindowDays', money: false, min: 1, max: 3650 },
  { field: 'threeStarYuan', money: true, min: 0, max: 10_000_000, minExclusive: true },
  { field: 'fourStarYuan', money: true, min: 0, max: 10_000_000, minExclusive: true },
  { field: 'fiveStarYuan', money: true, min: 0, max: 10_000_000, minExclusive: true },
  { field: 'graceDays', money: false, min: 0, max: 365 },
]

const WHOLE = new Set<RuleField>(['maxYears', 'maxRenewals', 'claimsWindowDays', 'graceDays'])

function yuan(fen: number): number {
  return fen / 100
}

function fen(yuan: number): number {
  return Math.round(yuan * 100)
}

export function formFromRules(rules: RulesDocument): RuleForm {
  return {
    premiumWeight: rules.premium_weight,
    perYearYuan: yuan(rules.per_year_fen),
    maxYears: rules.max_years,
    perExtraLineYuan: yuan(rules.per_extra_line_fen),
    perRenewalYuan: yuan(rules.per_renewal_fen),
    maxRenewals: rules.max_renewals,
    perClaimYuan: yuan(rules.per_claim_fen),
    claimsWindowDays: rules.claims_window_days,
    threeStarYuan: yuan(rules.thresholds_fen.three_star),
    fourStarYuan: yuan(rules.thresholds_fen.four_star),
    fiveStarYuan: yuan(rules.thresholds_fen.five_star),
    graceDays: rules.grace_days,
    note: '',
  }
}

export function documentFromForm(form: RuleForm): RulesDocument {
  return {
    premium_weight: form.premiumWeight,
    per_year_fen: fen(form.perYearYuan),
    max_years: form.maxYears,
    per_extra_line_fen: fen(form.perExtraLineYuan),
    per_renewal_fen: fen(form.perRenewalYuan),
    max_renewals: form.maxRenewals,
    per_claim_fen: fen(form.perClaimYuan),
    claims_window_days: form.claimsWindowDays,
    thresholds_fen: {
      three_star: fen(form.threeStarYuan),
      four_star: fen(form.fourStarYuan),
      five_star: fen(form.fiveStarYuan),
    },
    grace_days: form.graceDays,
  }
}

/** What is wrong, as i18n keys of `tiers.errors` by field ('note', a parameter, or 'form'). */
export type RuleErrors = Partial<Record<keyof RuleForm | 'form', string>>

export function validateRules(form: RuleForm, current?: RulesDocument): RuleErrors {
  const errors: RuleErrors = {}
  for (const { field, money, min, max, minExclusive } of FIELDS) {
    const value = form[field]
    if (typeof value !== 'number' || !Number.isFinite(value)) errors[field] = 'required'
    else if (minExclusive ? value <= min : value < min) errors[field] = minExclusive ? 'positive' : 'tooSmall'
    else if (value > max) errors[field] = 'tooLarge'
    else if (WHOLE.has(field) && !Number.isInteger(value)) errors[field] = 'whole'
    else if (money && Math.abs(fen(value) - value * 100) > 1e-6) errors[field] = 'cents'
  }
  if (!errors.threeStarYuan && !errors.fourStarYuan && form.threeStarYuan >= form.fourStarYuan) {
    errors.fourStarYuan = 'ascending'
  }
  if (!errors.fourStarYuan && !errors.fiveStarYuan && form.fourStarYuan >= form.fiveStarYuan) {
    errors.fiveStarYuan = 'ascending'
  }
  const note = form.note.trim()
  if (note.length < 2) errors.note = 'noteRequired'
  else if (note.length > 500) errors.note = 'noteTooLong'
  if (current && Object.keys(errors).length === 0 && changesBetween(current, documentFromForm(form)).length === 0) {
    errors.form = 'unchanged'
  }
  return errors
}

export interface RuleChange {
  /** The form field (its label is `tiers.fields.<field>`). */
  field: RuleField
  /** Values as the form shows them (yuan for money). */
  from: number
  to: number
}

/** Parameters the new document changes, in the form's order. */
export function changesBetween(current: RulesDocument, next: RulesDocument): RuleChange[] {
  const before = formFromRules(current)
  const after = formFromRules(next)
  return FIELDS.filter(({ field }) => before[field] !== after[field]).map(({ field }) => ({
    field,
    from: before[field],
    to: after[field],
  }))
}

export function rulesRequest(form: RuleForm): RulesCreate {
  return { rules: documentFromForm(form), note: form.note.trim() }
}
