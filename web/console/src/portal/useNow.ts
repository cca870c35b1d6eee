/** The current time, ticking every second while a page shows a countdown. */
import { onMounted, onUnmounted, ref } from 'vue'

export function useNow(everyMs = 1000) {
  const now = ref(Date.now())
  let timer: ReturnType<typeof setInterval> | undefined
  onMounted(() => {
    timer = setInterval(() => (now.value = Date.now()), everyMs)
  })
  onUnmounted(() => clearInterval(timer))
  return now
}
