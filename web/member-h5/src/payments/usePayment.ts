/**
 * `usePayment()`: pay for an awaiting order or points + cash redemption.
 *
 * Inside WeChat (its bridge answers) the H5 asks for a JSAPI payment and hands the signed parameters to
 * `WeixinJSBridge.invoke('getBrandWCPayRequest', …)`, WeChat's own pay sheet. Anywhere else (a phone browser,
 * WeChat whose bridge never came, a member without WeChat bound) it asks for an H5 payment and sends the
 * browser to WeChat Pay's cashier page, which comes back to this page with `?paying=1`. Either way the page
 * then waits for the order to say it is paid: only WeChat Pay's notification to the server makes it so.
 *
 * ```ts
 * const { pay } = usePayment()
 * const outcome = await pay({ order_id: id }, `/orders/${id}`) // 'ok' | 'cancel' | 'fail' | 'redirected'
 * ```
 */
import { ApiError, must } from '@cheyou/api'
import { api } from '@/api'
import { isWeChat } from '@/wechat/sdk'
import { bridgeOutcome, cashierUrl, returnUrl, type Bridge, type BridgeOutcome, type Payable } from './payment'

interface WeixinJSBridge {
  invoke(name: string, parameters: Record<string, string>, callback: (result: { err_msg?: string }) => void): void
}

declare global {
  interface Window {
    WeixinJSBridge?: WeixinJSBridge
  }
}

/** How long to wait for WeChat's bridge to announce itself before paying in the browser instead. */
export const BRIDGE_WAIT_MS = 1500

function weixinBridge(): Promise<WeixinJSBridge | null> {
  if (!isWeChat()) return Promise.resolve(null)
  if (window.WeixinJSBridge) return Promise.resolve(window.WeixinJSBridge)
  return new Promise((resolve) => {
    const ready = () => {
      clearTimeout(timer)
      resolve(window.WeixinJSBridge ?? null)
    }
    const timer = setTimeout(() => {
      document.removeEventListener('WeixinJSBridgeReady', ready)
      resolve(null)
    }, BRIDGE_WAIT_MS)
    document.addEventListener('WeixinJSBridgeReady', ready, { once: true })
  })
}

function invoke(bridge: WeixinJSBridge, parameters: Bridge): Promise<BridgeOutcome> {
  return new Promise((resolve) => {
    bridge.invoke('getBrandWCPayRequest', { ...parameters }, (result) => resolve(bridgeOutcome(result.err_msg)))
  })
}

function start(payable: Payable, channel: 'jsapi' | 'h5') {
  return must(api.POST('/api/v1/payments', { body: { ...payable, channel } }))
}

export function usePayment() {
  /** Pay; `back` is this page's app path (`/orders/…`), where the cashier returns. */
  async function pay(payable: Payable, back: string): Promise<BridgeOutcome | 'redirected'> {
    const bridge = await weixinBridge()
    if (bridge) {
      try {
        const started = await start(payable, 'jsapi')
        if (started.bridge) return await invoke(bridge, started.bridge)
      } catch (caught) {
        // WeChat not bound to this member: the browser's cashier works for anyone.
        if (!(caught instanceof ApiError && caught.slug === 'payer-unknown')) throw caught
      }
    }
    const started = await start(payable, 'h5')
    if (!started.h5_url) throw new Error('WeChat Pay gave no cashier page')
    window.location.assign(
      cashierUrl(started.h5_url, returnUrl(window.location.origin, import.meta.env.BASE_URL, back)),
    )
    return 'redirected'
  }

  return { pay }
}
