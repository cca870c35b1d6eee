/** privilege-svc's activities for ops: create, list, sign-ups (cancel frees a place for the waitlist), check-in. */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'

export type ActivityRead = components['schemas']['ActivityRead']
export type ActivityCreate = components['schemas']['ActivityCreate']
export type SignupRead = components['schemas']['SignupRead']

const one = (id: string) => ({ params: { path: { activity_id: id } } })

export function useActivities() {
  return {
    list: (cursor?: string) => must(api.GET('/api/v1/activities', { params: { query: { cursor, limit: 20 } } })),
    create: (body: ActivityCreate) => must(api.POST('/api/v1/activities', { body })),
    get: (id: string) => must(api.GET('/api/v1/activities/{activity_id}', one(id))),
    signups: (id: string, cursor?: string) =>
      must(
        api.GET('/api/v1/activities/{activity_id}/signups', {
          params: { path: { activity_id: id }, query: { cursor, limit: 50 } },
        }),
      ),
    cancel: (id: string, signupId: string) =>
      must(
        api.POST('/api/v1/activities/{activity_id}/signups/{signup_id}/cancel', {
          params: { path: { activity_id: id, signup_id: signupId } },
        }),
      ),
    checkIn: (id: string, code: string) =>
      must(api.POST('/api/v1/activities/{activity_id}/check-ins', { ...one(id), body: { code } })),
    stats: (from: string, to: string) => must(api.GET('/api/v1/activities/stats', { params: { query: { from, to } } })),
  }
}
