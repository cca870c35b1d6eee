/**
 * A page's load as reactive state: `data`, `loading`, `error` (already in words) and `reload()`; and one
 * user action at a time with `busy`. Each app passes how to put an error in words and what to do when the
 * network is gone (its retry banner).
 */
import { ref, shallowRef, type Ref, type ShallowRef } from 'vue'
import { ApiError } from './index'

export interface Request<T> {
  data: ShallowRef<T | undefined>
  loading: Ref<boolean>
  error: Ref<string | null>
  failure: ShallowRef<unknown>
  reload: () => Promise<void>
}

export interface RequestContext {
  describe: (error: unknown) => string
  networkLost: (retry: () => Promise<void>) => void
}

export function loadInto<T>(context: RequestContext, load: () => Promise<T>, immediate = true): Request<T> {
  const data = shallowRef<T>()
  const loading = ref(false)
  const error = ref<string | null>(null)
  const failure = shallowRef<unknown>(null)

  async function reload(): Promise<void> {
    loading.value = true
    error.value = null
    failure.value = null
    try {
      data.value = await load()
    } catch (caught) {
      failure.value = caught
      error.value = context.describe(caught)
      if (caught instanceof ApiError && caught.kind === 'network') context.networkLost(reload)
    } finally {
      loading.value = false
    }
  }

  if (immediate) void reload()
  return { data, loading, error, failure, reload }
}

export function actionRunner(context: RequestContext, show: (message: string) => void) {
  const busy = ref(false)
  async function run<T>(
    action: () => Promise<T>,
    onError?: (message: string, caught: unknown) => void,
  ): Promise<T | undefined> {
    busy.value = true
    try {
      return await action()
    } catch (caught) {
      const message = context.describe(caught)
      if (onError) onError(message, caught)
      else show(message)
      return undefined
    } finally {
      busy.value = false
    }
  }
  return { busy, run }
}
