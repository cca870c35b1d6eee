import { describe, expect, it } from 'vitest'
import { perDaySeries } from './figures'
import { mismatchKeys, reachedByPhone, type Task } from './useVerification'

const core: Task['core_record'] = {
  id_number_known: true,
  name_matches: true,
  phone_matches: null,
  callback_phone_source: 'insurer',
  callback_phone_masked: '138****0000',
  callback_phone: null,
  id_number_contested: false,
  mismatches: [],
}
const policy = {
  policy_no: 'P1',
  line: 'commercial',
  plate: '闽A12345',
  status: 'active',
  ends_on: '2027-01-01',
  plate_matches_application: true,
}

describe('reachedByPhone', () => {
  it('needs a callback that reached the applicant', () => {
    const call = { id: '1', reviewer_id: 'reviewer1', notes: null, called_at: '2026-12-07T02:00:00Z' }
    expect(reachedByPhone({ callbacks: [] })).toBe(false)
    expect(reachedByPhone({ callbacks: [{ ...call, outcome: 'unreachable' }] })).toBe(false)
    expect(
      reachedByPhone({
        callbacks: [
          { ...call, outcome: 'unreachable' },
          { ...call, outcome: 'reached' },
        ],
      }),
    ).toBe(true)
  })
})

describe('mismatchKeys', () => {
  it('says nothing when the application agrees with the insurer', () => {
    expect(mismatchKeys(core, [policy])).toEqual([])
  })
  it('names each disagreement: no policy, name, phone, plate', () => {
    expect(mismatchKeys({ ...core, id_number_known: false }, [])).toEqual(['verification.mismatch.noPolicy'])
    expect(
      mismatchKeys({ ...core, name_matches: false, phone_matches: false }, [
        { ...policy, plate_matches_application: false },
      ]),
    ).toEqual(['verification.mismatch.name', 'verification.mismatch.phone', 'verification.mismatch.plate'])
  })
  it('puts an ID number another member holds first', () => {
    expect(mismatchKeys({ ...core, id_number_contested: true }, [policy])).toEqual(['verification.mismatch.contested'])
  })
})

describe('perDaySeries', () => {
  it('puts each reviewer on the same days, zero where they made no call', () => {
    const series = perDaySeries([
      { day: '2026-12-02', reviewer: 'reviewer2', callbacks: 4 },
      { day: '2026-12-01', reviewer: 'reviewer1', callbacks: 3 },
      { day: '2026-12-02', reviewer: 'reviewer1', callbacks: 1 },
    ])
    expect(series.days).toEqual(['2026-12-01', '2026-12-02'])
    expect(series.reviewers).toEqual([
      { name: 'reviewer1', values: [3, 1] },
      { name: 'reviewer2', values: [0, 4] },
    ])
    expect(series.total).toBe(8)
  })
})
