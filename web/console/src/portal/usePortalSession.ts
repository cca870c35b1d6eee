/**
 * Merchant staff: signing in with phone + SMS code at the gateway, and who "we" are once signed in (the
 * merchant, and this user's role there, which decides what the portal offers).
 */
import { fromTokens, must, type TokenRead } from '@cheyou/api'
import { computed, shallowRef } from 'vue'
import { api, tokens } from '@/api'
import { isMerchantRole, type MerchantRole } from './access'

type Tokens = TokenRead & {
  merchant_id?: string | null
  merchant_user_id?: string | null
  merchant_role?: string | null
}

export interface Me {
  merchantId: string
  merchantName: string
  userId: string | null
  /** Masked: the family name only. */
  userName: string | null
  role: MerchantRole | null
}

const USER_SUBJECT = 'merchant-user:'
const me = shallowRef<Me | null>(null)
let loading: Promise<Me | null> | null = null
tokens.onChange(() => {
  me.value = null
  loading = null
})

/** The merchant user the session is (its subject names them), else null (a session of someone else). */
export function merchantUserOf(subject: string | undefined): string | null {
  return subject?.startsWith(USER_SUBJECT) ? subject.slice(USER_SUBJECT.length) : null
}

async function loadMe(): Promise<Me | null> {
  const session = tokens.session
  const merchantId = session?.merchantId
  if (!session || !merchantId) return null
  const userId = merchantUserOf(session.subject)
  const [merchant, user] = await Promise.all([
    must(api.GET('/api/v1/merchants/{merchant_id}', { params: { path: { merchant_id: merchantId } } })),
    userId
      ? must(
          api.GET('/api/v1/merchants/{merchant_id}/users/{user_id}', {
            params: { path: { merchant_id: merchantId, user_id: userId } },
          }),
        )
      : Promise.resolve(null),
  ])
  const role = user?.role
  return {
    merchantId,
    merchantName: merchant.name,
    userId,
    userName: user?.name ?? null,
    role: isMerchantRole(role) ? role : null,
  }
}

export function usePortalSession() {
  return {
    me,
    role: computed(() => me.value?.role ?? null),
    /** Who we are (loaded once per session; pages call it before deciding what to offer). */
    async ensureMe(): Promise<Me | null> {
      if (me.value) return me.value
      loading ??= loadMe().then((found) => (me.value = found))
      try {
        return await loading
      } catch (error) {
        loading = null
        throw error
      }
    },
    /** Text a code; how long it is good for and when another may be sent, in seconds. */
    async sendCode(phone: string): Promise<{ expiresIn: number; resendAfter: number }> {
      const sent = await must(api.POST('/api/v1/auth/merchant/otp', { body: { phone } }))
      return { expiresIn: sent.expires_in, resendAfter: sent.resend_after }
    },
    async signIn(phone: string, code: string): Promise<void> {
      const answer = (await must(api.POST('/api/v1/auth/merchant/otp/verify', { body: { phone, code } }))) as Tokens
      tokens.set(fromTokens(answer))
    },
  }
}
