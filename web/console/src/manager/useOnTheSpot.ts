/**
 * A manager acting for a customer in front of them: the customer's phone proven by the code texted to it
 * (the customer reads it out), then a registration on the spot or a correction of the customer's phone,
 * region or vehicles with its audit. The proof goes as `X-Phone-Proof` with the manager's own session; the
 * gateway spends it once the change is made.
 */
import { ApiError, must, type components } from '@cheyou/api'
import { api } from '@/api'

export type MemberCreate = components['schemas']['MemberCreate']
export type CorrectionCreate = components['schemas']['CorrectionCreate']
export type CorrectionRead = components['schemas']['CorrectionRead']
export type VehicleIn = components['schemas']['VehicleIn']

/** The number already signs a member in: no proof for it (their session, opened by the code, is ended). */
export function phoneIsAMember(): ApiError {
  return new ApiError(409, { status: 409, type: 'urn:cheyou:console/phone-is-a-member', title: 'phone is a member' })
}

export function useOnTheSpot() {
  return {
    sendCode: (phone: string) => must(api.POST('/api/v1/auth/otp', { body: { phone } })),
    /** The code the customer reads out → the phone proof for a number no member has. */
    async proof(phone: string, code: string): Promise<string> {
      const answer = await must(api.POST('/api/v1/auth/otp/verify', { body: { phone, code } }))
      if ('phone_proof' in answer) return answer.phone_proof
      // A member's number: the right code signed that member in. End that session here and now.
      await api
        .POST('/api/v1/auth/logout', { headers: { Authorization: `Bearer ${answer.access_token}` } })
        .catch(() => undefined)
      throw phoneIsAMember()
    },
    register: (staffId: string, body: MemberCreate, proof: string) =>
      must(
        api.POST('/api/v1/managers/{staff_id}/registrations', {
          params: { path: { staff_id: staffId } },
          body,
          headers: { 'X-Phone-Proof': proof },
        }),
      ),
    correct: (memberId: string, body: CorrectionCreate, proof: string | null) =>
      must(
        api.POST('/api/v1/members/{member_id}/corrections', {
          params: { path: { member_id: memberId } },
          body,
          headers: proof ? { 'X-Phone-Proof': proof } : {},
        }),
      ),
    corrections: (memberId: string) =>
      must(api.GET('/api/v1/members/{member_id}/corrections', { params: { path: { member_id: memberId } } })),
  }
}
