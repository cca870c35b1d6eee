/** Who is signed in to the console, and signing in: staff by password (merchant staff: see MerchantSignIn). */
import { fromTokens, must } from '@cheyou/api'
import { shallowRef } from 'vue'
import { api, tokens } from '@/api'

const current = shallowRef(tokens.session)
tokens.onChange((session) => (current.value = session))

export function useSession() {
  return {
    session: current,
    async signInStaff(username: string, password: string) {
      tokens.set(fromTokens(await must(api.POST('/api/v1/auth/staff/login', { body: { username, password } }))))
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
