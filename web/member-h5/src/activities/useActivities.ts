/**
 * Club activities on privilege-svc: the open ones aimed at my tier and interests, signing up (or the
 * waitlist), cancelling, and my check-in QR.
 *
 * privilege-svc has no route for a member to read their own sign-ups yet (staff only), so the sign-up the
 * service answered is kept on this device (per member) to show its state, the QR and "cancel" later.
 */
import { must, type components } from '@cheyou/api'
import { api, tokens } from '@/api'

export type Activity = components['schemas']['ActivityRead']
export type Signup = components['schemas']['SignupRead']

function me(): string {
  const id = tokens.session?.memberId
  if (!id) throw new Error('not signed in as a member')
  return id
}

const storageKey = () => `cheyou.signups.${me()}`

export const mySignups = {
  all(): Record<string, Signup> {
    try {
      return JSON.parse(localStorage.getItem(storageKey()) ?? '{}') as Record<string, Signup>
    } catch {
      return {}
    }
  },
  of(activityId: string): Signup | null {
    return this.all()[activityId] ?? null
  },
  keep(signup: Signup): void {
    localStorage.setItem(storageKey(), JSON.stringify({ ...this.all(), [signup.activity_id]: signup }))
  },
}

export const activities = {
  list: (cursor?: string) => must(api.GET('/api/v1/activities', { params: { query: { cursor, limit: 20 } } })),
  get: (id: string) => must(api.GET('/api/v1/activities/{activity_id}', { params: { path: { activity_id: id } } })),
  signUp: (id: string, partySize: number, joinWaitlist: boolean) =>
    must(
      api.POST('/api/v1/activities/{activity_id}/signups', {
        params: { path: { activity_id: id } },
        body: { party_size: partySize, join_waitlist: joinWaitlist },
      }),
    ),
  cancel: (signup: Signup) =>
    must(
      api.POST('/api/v1/activities/{activity_id}/signups/{signup_id}/cancel', {
        params: { path: { activity_id: signup.activity_id, signup_id: signup.id } },
      }),
    ),
  qr: (signup: Signup) =>
    must(
      api.GET('/api/v1/activities/{activity_id}/signups/{signup_id}/qr', {
        params: { path: { activity_id: signup.activity_id, signup_id: signup.id } },
      }),
    ),
}
