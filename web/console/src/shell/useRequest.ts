/**
 * `useRequest(load)` for a page's data and `useAction()` for a staff action, with errors in words (a
 * message for actions) and the retry banner when the network is gone (see ConsoleLayout.vue).
 */
import { actionRunner, describeError, loadInto, type RequestContext } from '@cheyou/api'
import { ElMessage } from 'element-plus'
import { useI18n } from 'vue-i18n'
import { networkLost } from './network'

function useContext(): RequestContext {
  const { t, te } = useI18n()
  return { describe: (error) => describeError(error, t, te), networkLost }
}

export function useRequest<T>(load: () => Promise<T>, options: { immediate?: boolean } = {}) {
  return loadInto(useContext(), load, options.immediate !== false)
}

export function useAction() {
  return actionRunner(useContext(), (message) => ElMessage.error({ message, showClose: true }))
}
