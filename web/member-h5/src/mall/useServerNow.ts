/** The server's time as a ref that ticks (null until an answer taught the clock). */
import { onMounted, onUnmounted, ref } from 'vue'
import { serverClock } from './serverClock'

export function useServerNow(everyMs = 250) {
  const now = ref<number | null>(serverClock.now())
  let timer: ReturnType<typeof setInterval> | undefined
  onMounted(() => {
    timer = setInterval(() => (now.value = serverClock.now()), everyMs)
  })
  onUnmounted(() => clearInterval(timer))
  return { now, tick: () => (now.value = serverClock.now()) }
}
