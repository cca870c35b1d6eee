import { beforeEach, describe, expect, it } from 'vitest'
import { invitationFrom } from './useJoin'

describe('the invitation a join link carries', () => {
  beforeEach(() => sessionStorage.clear())

  it('takes the personal token and the manager code of an imported list', () => {
    const token = 'tok_ABCdef0123456789-xyz'
    expect(invitationFrom({ manager_code: 'mk7q2z9a', invitation: token })).toEqual({
      managerCode: 'MK7Q2Z9A',
      referralCode: null,
      token,
    })
  })

  it('keeps it for the tab, so reading the privacy notice on the way loses nothing', () => {
    invitationFrom({ invitation: 'tok_ABCdef0123456789-xyz' })
    expect(invitationFrom({}).token).toBe('tok_ABCdef0123456789-xyz')
  })

  it('ignores a token that is not the shape of one (never sent to the service)', () => {
    expect(invitationFrom({ invitation: 'short' }).token).toBeNull()
    expect(invitationFrom({ invitation: '../../etc/passwd?x=1234567890' }).token).toBeNull()
  })

  it('reads what an older tab kept, without a token', () => {
    sessionStorage.setItem('cheyou.join.invitation', JSON.stringify({ managerCode: 'MK7Q2Z9A', referralCode: null }))
    expect(invitationFrom({})).toEqual({ managerCode: 'MK7Q2Z9A', referralCode: null, token: null })
  })
})
