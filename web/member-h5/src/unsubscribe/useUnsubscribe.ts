/**
 * The unsubscribe link of an invitation text (`/h5/unsubscribe?invitation=<token>`): no sign-in, the token
 * is the key. notify-svc stops the invitation's reminders and every marketing text to the number.
 */
import { must } from '@cheyou/api'
import { api } from '@/api'
import { TOKEN } from '@/join/useJoin'

/** The token of the link, or null when it is missing or not the shape of one (explained, never sent). */
export function tokenFrom(query: Record<string, unknown>): string | null {
  const value = query.invitation
  return typeof value === 'string' && TOKEN.test(value) ? value : null
}

export function useUnsubscribe() {
  return {
    unsubscribe: (token: string) => must(api.POST('/api/v1/unsubscriptions', { body: { token } })),
  }
}
