/** "Back" in a page's nav bar: the previous page when there is one in this tab, else a sensible parent. */
import { useRouter, type RouteLocationRaw } from 'vue-router'

export function useBack(parent: () => RouteLocationRaw) {
  const router = useRouter()
  return () => {
    if (typeof history !== 'undefined' && (history.state as { back?: unknown } | null)?.back) router.back()
    else void router.replace(parent())
  }
}
