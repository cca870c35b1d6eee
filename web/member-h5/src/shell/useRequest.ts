/**
 * `useRequest(load)` for a page's data and `useAction()` for a member's action, with errors in words
 * (toast for actions) and the retry banner when the network is gone (see App.vue).
 */
import { actionRunner, describeError, loadInto, type RequestContext } from '@cheyou/api'
import { showFailToast } from 'vant'
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
  return actionRunner(useContext(), (message) => showFailToast({ message, wordBreak: 'break-word' }))
}
