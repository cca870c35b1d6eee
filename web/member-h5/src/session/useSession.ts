/**
 * The member's session: who is signed in; signing in by WeChat web authorization or by SMS code; a new
 * applicant's phone proof (the right code for a phone that is no member's yet) and signing in with it.
 */
import { ApiError, fromTokens, must } from '@cheyou/api'
import { computed, shallowRef } from 'vue'
import { api, tokens } from '@/api'
import { router } from '@/router'
import { keepAuthorization, type PendingAuthorization, type WechatPurpose } from './wechatAuth'

const current = shallowRef(tokens.session)
tokens.onChange((session) => (current.value = session))

/** A proven phone that no member has: the applicant joins with it (kept in this tab for a few minutes). */
export interface PhoneProof {
  phone: string
  proof: string
  expiresAt: number
}

const PROOF_KEY = 'cheyou.join.phone-proof'

export function keptPhoneProof(now = Date.now()): PhoneProof | null {
  try {
    const kept = JSON.parse(sessionStorage.getItem(PROOF_KEY) ?? 'null') as PhoneProof | null
    return kept && kept.expiresAt > now ? kept : null
  } catch {
    return null
  }
}

export function keepPhoneProof(proof: PhoneProof | null): void {
  if (proof) sessionStorage.setItem(PROOF_KEY, JSON.stringify(proof))
  else sessionStorage.removeItem(PROOF_KEY)
}

/** The URL WeChat sends the browser back to: this origin's callback page (the gateway checks the origin). */
function callbackUrl(): string {
  return new URL(router.resolve({ name: 'wechat-callback' }).href, location.origin).href
}

export function useSession() {
  return {
    session: current,
    memberId: computed(() => current.value?.memberId ?? null),

    async sendCode(phone: string) {
      return must(api.POST('/api/v1/auth/otp', { body: { phone } }))
    },

    /** The code is right: a member is signed in (`member`), or a newcomer holds a proof to join with. */
    async verifyCode(phone: string, code: string): Promise<{ member: true } | { member: false; proof: PhoneProof }> {
      const answer = await must(api.POST('/api/v1/auth/otp/verify', { body: { phone, code } }))
      if ('phone_proof' in answer) {
        const proof = { phone, proof: answer.phone_proof, expiresAt: Date.now() + answer.expires_in * 1000 }
        keepPhoneProof(proof)
        return { member: false, proof }
      }
      tokens.set(fromTokens(answer))
      return { member: true }
    },

    /** The applicant who just joined with this proof signs in (the proof is spent). */
    async signInWithProof(proof: string) {
      tokens.set(fromTokens(await must(api.POST('/api/v1/auth/phone-proof', { body: { phone_proof: proof } }))))
      keepPhoneProof(null)
    },

    /**
     * Leave for WeChat's authorize page; it comes back to the callback page with `code` and `state`.
     * Asks to come back to this origin; a gateway that does not list it sends WeChat to its canonical one.
     */
    async startWechat(purpose: WechatPurpose, next: string): Promise<void> {
      const ask = (redirect: string) =>
        must(api.GET('/api/v1/auth/wechat/authorize-url', { params: { query: { redirect } } }))
      let started
      try {
        started = await ask(callbackUrl())
      } catch (error) {
        if (!(error instanceof ApiError && error.slug === 'wechat-redirect-invalid')) throw error
        started = await ask(router.resolve({ name: 'wechat-callback' }).href)
      }
      const pending: PendingAuthorization = {
        state: started.state,
        verifier: started.verifier,
        purpose,
        next,
        expiresAt: Date.now() + started.expires_in * 1000,
      }
      keepAuthorization(pending)
      location.assign(started.url)
    },

    /** The code WeChat put on the redirect, with the state and verifier this tab kept. */
    async finishWechat(code: string, pending: PendingAuthorization): Promise<void> {
      const body = { code, state: pending.state, verifier: pending.verifier }
      if (pending.purpose === 'bind') {
        await must(api.POST('/api/v1/auth/wechat-binding', { body }))
        return
      }
      tokens.set(fromTokens(await must(api.POST('/api/v1/auth/wechat', { body }))))
    },

    async signOut() {
      try {
        await api.POST('/api/v1/auth/logout')
      } catch {
        /* signed out here whatever the gateway says */
      } finally {
        tokens.set(null)
      }
    },
  }
}
