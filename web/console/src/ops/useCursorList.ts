/**
 * A table that pages with the API's cursors: the first page on load (and on `reload`), the next one on
 * "load more" (`more`), appended; `next` is null on the last page.
 */
import { ref, shallowRef } from 'vue'
import { useRequest } from '@/shell/useRequest'

export interface CursorPage<T> {
  items: T[]
  next_cursor?: string | null
}

export function useCursorList<T>(load: (cursor: string | undefined) => Promise<CursorPage<T>>) {
  const items = shallowRef<T[]>([])
  const next = ref<string | null>(null)
  const request = useRequest(async () => {
    const page = await load(undefined)
    items.value = page.items
    next.value = page.next_cursor ?? null
    return page
  })
  const more = useRequest(
    async () => {
      if (!next.value) return null
      const page = await load(next.value)
      items.value = [...items.value, ...page.items]
      next.value = page.next_cursor ?? null
      return page
    },
    { immediate: false },
  )
  return {
    items,
    next,
    loading: request.loading,
    error: request.error,
    reload: request.reload,
    more: more.reload,
    loadingMore: more.loading,
    moreError: more.error,
  }
}
