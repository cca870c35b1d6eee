/** The retry banner's state: the loads that failed because the network was gone, run again on "retry". */
import { ref } from 'vue'

export const offline = ref(false)
const pending = new Set<() => Promise<void>>()

export function networkLost(retry: () => Promise<void>): void {
  offline.value = true
  pending.add(retry)
}

export async function retryAll(): Promise<void> {
  offline.value = false
  const retries = [...pending]
  pending.clear()
  await Promise.all(retries.map((retry) => retry()))
}
