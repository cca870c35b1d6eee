import { describe, expect, it } from 'vitest'
import {
  changesBetween,
  documentFromForm,
  formFromRules,
  rulesRequest,
  validateRules,
  type RulesDocument,
} from './ruleEditor'

const v1: RulesDocument = {
  premium_weight: 1,
  per_year_fen: 20000,
  max_years: 10,
  per_extra_line_fen: 50000,
  per_renewal_fen: 30000,
  max_renewals: 5,
  per_claim_fen: 50000,
  claims_window_days: 365,
  thresholds_fen: { three_star: 600000, four_star: 1200000, five_star: 2500000 },
  grace_days: 30,
}

describe('the tier-rule form', () => {
  it('shows fen as yuan and sends yuan back as fen, unchanged when nothing was edited', () => {
    const form = formFromRules(v1)
    expect(form.threeStarYuan).toBe(6000)
    expect(form.perYearYuan).toBe(200)
    expect(documentFromForm(form)).toEqual(v1)
  })

  it('sends the whole new document with the reason, and only the edited parameters differ', () => {
    const form = { ...formFromRules(v1), threeStarYuan: 6500.5, graceDays: 45, note: '  提高三星门槛  ' }
    expect(rulesRequest(form)).toEqual({
      rules: { ...v1, thresholds_fen: { ...v1.thresholds_fen, three_star: 650050 }, grace_days: 45 },
      note: '提高三星门槛',
    })
    expect(changesBetween(v1, documentFromForm(form))).toEqual([
      { field: 'threeStarYuan', from: 6000, to: 6500.5 },
      { field: 'graceDays', from: 30, to: 45 },
    ])
  })
})

describe('validating before sending', () => {
  const valid = { ...formFromRules(v1), threeStarYuan: 7000, note: '调整门槛' }

  it('accepts a changed, well-formed version', () => {
    expect(validateRules(valid, v1)).toEqual({})
  })

  it('wants a reason of two characters at least', () => {
    expect(validateRules({ ...valid, note: ' 改 ' }, v1)).toEqual({ note: 'noteRequired' })
  })

  it('refuses thresholds that do not rise from three-star to five-star', () => {
    expect(validateRules({ ...valid, fourStarYuan: 7000 }, v1)).toEqual({ fourStarYuan: 'ascending' })
    expect(validateRules({ ...valid, fiveStarYuan: 12000 }, v1)).toEqual({ fiveStarYuan: 'ascending' })
  })

  it('refuses values outside member-svc bounds, fractions of a fen and fractional days', () => {
    expect(validateRules({ ...valid, threeStarYuan: 0 }, v1).threeStarYuan).toBe('positive')
    expect(validateRules({ ...valid, premiumWeight: 11 }, v1).premiumWeight).toBe('tooLarge')
    expect(validateRules({ ...valid, claimsWindowDays: 0 }, v1).claimsWindowDays).toBe('tooSmall')
    expect(validateRules({ ...valid, perYearYuan: 1.234 }, v1).perYearYuan).toBe('cents')
    expect(validateRules({ ...valid, graceDays: 1.5 }, v1).graceDays).toBe('whole')
    expect(validateRules({ ...valid, maxYears: Number.NaN }, v1).maxYears).toBe('required')
  })

  it('has nothing to publish when no parameter changed', () => {
    expect(validateRules({ ...formFromRules(v1), note: '没有变化' }, v1)).toEqual({ form: 'unchanged' })
  })
})
