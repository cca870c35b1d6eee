/** The member's session: who is signed in, and signing in by SMS code. */
import { fromTokens, must } from '@cheyou/api'
import { computed, shallowRef } from 'vue'
import { api, tokens } from '@/api'

const current = shallowRef(tokens.session)
tokens.onChange((session) => (current.value = session))

export function useSession() {
  return {
    session: current,
    memberId: computed(() => current.value?.memberId ?? null),
    async sendCode(phone: string) {
      return must(api.POST('/api/v1/auth/otp', { body: { phone } }))
    },
    async signInWithCode(phone: string, code: string) {
      tokens.set(fromTokens(await must(api.POST('/api/v1/auth/otp/verify', { body: { phone, code } }))))
    },
    async signOut() {
      try {
        await api.POST('/api/v1/auth/logout')
      } finally {
        tokens.set(null)
      }
    },
  }
}
