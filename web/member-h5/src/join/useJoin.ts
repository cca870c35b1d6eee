/**
 * Joining the club: the application (the phone proven by SMS code first: `X-Phone-Proof`), signing the
 * new applicant in with that proof, the application's status, and the fix the reviewer asked for.
 */
import { ApiError, must, type components } from '@cheyou/api'
import { reactive } from 'vue'
import { api } from '@/api'
import { useSession } from '@/session/useSession'
import { useRequest } from '@/shell/useRequest'
import { normaliseIdNumber, normalisePhone, normalisePlate, type Interest } from './identifiers'

type MemberCreate = components['schemas']['MemberCreate']

/**
 * Who invited the applicant: what a manager's invite QR or a member's referral QR carries, or the personal
 * token of an invitation from an imported list (`invitation`, sent by SMS or WeChat with the manager's code).
 */
export interface Invitation {
  managerCode: string | null
  referralCode: string | null
  token: string | null
}

const INVITATION_KEY = 'cheyou.join.invitation'
const CODE = /^[A-Za-z0-9]{4,16}$/
/** The shape member-svc and notify-svc accept for an invitation's personal token. */
export const TOKEN = /^[A-Za-z0-9_-]{16,64}$/

/**
 * The invitation of the link that opened the page (`manager_code` / `referral_code`, as member-svc's
 * QR codes write them; `manager` / `referrer` accepted too; `invitation`, the personal token), kept for
 * this tab so that reading the privacy notice or signing in on the way does not lose it.
 */
export function invitationFrom(query: Record<string, unknown>): Invitation {
  const pick = (...names: string[]) => {
    for (const name of names) {
      const value = query[name]
      if (typeof value === 'string' && CODE.test(value)) return value.toUpperCase()
    }
    return null
  }
  const token = typeof query.invitation === 'string' && TOKEN.test(query.invitation) ? query.invitation : null
  const fromLink = {
    managerCode: pick('manager_code', 'manager'),
    referralCode: pick('referral_code', 'referrer'),
    token,
  }
  if (fromLink.managerCode || fromLink.referralCode || fromLink.token) {
    sessionStorage.setItem(INVITATION_KEY, JSON.stringify(fromLink))
    return fromLink
  }
  try {
    const kept = JSON.parse(sessionStorage.getItem(INVITATION_KEY) ?? 'null') as Partial<Invitation> | null
    return kept ? { managerCode: null, referralCode: null, token: null, ...kept } : fromLink
  } catch {
    return fromLink
  }
}

export type InvitationView = components['schemas']['InvitationView']

/**
 * What the personal link shows before sign-in: the inviting manager, the invitee's name masked, whether it
 * was taken up or opted out of. Opening it is recorded (the list's conversion counts it). An unknown or
 * malformed token is `null`: the page explains and the form still works without it.
 */
export function useInvitationView(token: string | null) {
  return useRequest<InvitationView | null>(async () => {
    if (!token) return null
    try {
      return await must(api.GET('/api/v1/invitations/{token}', { params: { path: { token } } }))
    } catch (caught) {
      if (caught instanceof ApiError && (caught.status === 404 || caught.status === 422)) return null
      throw caught
    }
  })
}

export interface JoinDraft {
  name: string
  idNumber: string
  phone: string
  code: string
  plate: string
  interests: Interest[]
  consent: boolean
}

/** The form survives a visit to the privacy notice (module state, this tab only, never stored). */
export const draft = reactive<JoinDraft>({
  name: '',
  idNumber: '',
  phone: '',
  code: '',
  plate: '',
  interests: [],
  consent: false,
})

export function applicationBody(form: JoinDraft, invitation: Invitation, inWeChat: boolean): MemberCreate {
  const plate = normalisePlate(form.plate)
  return {
    name: form.name.trim(),
    id_number: normaliseIdNumber(form.idNumber),
    phone: normalisePhone(form.phone),
    interests: [...form.interests],
    vehicles: plate ? [{ plate, kind: 'household_car' }] : [],
    channel: inWeChat ? 'wechat' : 'web',
    manager_code: invitation.managerCode,
    referral_code: invitation.referralCode,
  }
}

export function useJoin() {
  const session = useSession()
  return {
    /** Send the application with the phone proof, then sign the applicant in with the same proof. */
    async apply(body: MemberCreate, proof: string): Promise<void> {
      await must(api.POST('/api/v1/members', { body, headers: { 'X-Phone-Proof': proof } }))
      sessionStorage.removeItem(INVITATION_KEY)
      await session.signInWithProof(proof)
    },
  }
}

export type MemberRead = components['schemas']['MemberRead']
export type ApplicationStatus = components['schemas']['ApplicationStatus']

export interface Application {
  member: MemberRead
  /** Null when member-svc holds no verification task (an invited member, or an old verified one). */
  application: ApplicationStatus | null
}

export function useApplication(memberId: () => string) {
  const request = useRequest<Application>(async () => {
    const path = { params: { path: { member_id: memberId() } } }
    const [member, application] = await Promise.all([
      must(api.GET('/api/v1/members/{member_id}', path)),
      must(api.GET('/api/v1/members/{member_id}/application', path)).catch(() => null),
    ])
    return { member, application }
  })

  return {
    ...request,
    /** Correct what the reviewer asked for: the application goes back to the queue. */
    async resubmit(change: components['schemas']['MemberUpdate']): Promise<void> {
      await must(
        api.PATCH('/api/v1/members/{member_id}', { params: { path: { member_id: memberId() } }, body: change }),
      )
      await request.reload()
    },
    /** A new sign-in phone, proven by the code sent to it. */
    async changePhone(phone: string, code: string): Promise<void> {
      await must(api.POST('/api/v1/auth/phone-change', { body: { phone: normalisePhone(phone), code } }))
      await request.reload()
    },
  }
}
