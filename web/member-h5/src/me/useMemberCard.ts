/**
 * The member card's QR: a signed code that expires (5 minutes by default). The Me page starts with the
 * one the gateway put in `/me`; this fetches a new one before it expires, and at once when the member
 * comes back to the page after the code went stale (the phone was locked at the merchant's till).
 */
import { ApiError } from '@cheyou/api'
import { onMounted, onUnmounted, ref } from 'vue'
import { api } from '@/api'
import { cardExpiresAt, isStale, refreshDelay } from './cardTiming'

export function useMemberCard(memberId: () => string | null) {
  const src = ref<string | null>(null)
  const expiresAt = ref(0)
  const now = ref(Date.now())
  const failed = ref(false)
  let objectUrl: string | null = null
  let refreshTimer: ReturnType<typeof setTimeout> | undefined
  let clock: ReturnType<typeof setInterval> | undefined

  function schedule() {
    clearTimeout(refreshTimer)
    refreshTimer = setTimeout(() => void refresh(), refreshDelay(expiresAt.value, Date.now()))
  }

  /** The QR that came with `/me` (base64 PNG), fetched just now by the gateway. */
  function start(pngBase64: string, fetchedAt = Date.now()) {
    src.value = `data:image/png;base64,${pngBase64}`
    expiresAt.value = cardExpiresAt(fetchedAt)
    failed.value = false
    schedule()
  }

  async function refresh(): Promise<void> {
    const id = memberId()
    if (!id) return
    try {
      const { data, response } = await api.GET('/api/v1/members/{member_id}/card', {
        params: { path: { member_id: id } },
        parseAs: 'blob',
      })
      if (!(data instanceof Blob)) throw new ApiError(response.status, { status: response.status })
      if (objectUrl) URL.revokeObjectURL(objectUrl)
      objectUrl = URL.createObjectURL(data)
      src.value = objectUrl
      expiresAt.value = cardExpiresAt(Date.now(), response.headers)
      failed.value = false
    } catch {
      failed.value = true // the old code stays until it expires; try again soon
      expiresAt.value = Math.max(expiresAt.value, Date.now())
    }
    schedule()
  }

  function onVisible() {
    if (document.visibilityState === 'visible' && src.value && isStale(expiresAt.value, Date.now())) void refresh()
  }

  onMounted(() => {
    document.addEventListener('visibilitychange', onVisible)
    clock = setInterval(() => (now.value = Date.now()), 1000)
  })
  onUnmounted(() => {
    document.removeEventListener('visibilitychange', onVisible)
    clearTimeout(refreshTimer)
    clearInterval(clock)
    if (objectUrl) URL.revokeObjectURL(objectUrl)
  })

  return { src, expiresAt, now, failed, start, refresh }
}
