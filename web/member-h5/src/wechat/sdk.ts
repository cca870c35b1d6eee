/**
 * WeChat's JS-SDK, only inside WeChat's in-app browser (MicroMessenger): the script is loaded from
 * WeChat's host (the CSP allows it) and configured with the gateway's signature for this page's URL
 * (without its #fragment). Anything that fails — no network to WeChat, a refused signature, a timeout —
 * resolves to `null`, and the callers fall back to plain web APIs.
 */
import { must } from '@cheyou/api'
import { api } from '@/api'

export const SDK_URL = 'https://res.wx.qq.com/open/js/jweixin-1.6.0.js'
/** Give up on WeChat's script or `wx.ready` after this long: the page must not wait for a closed network. */
export const SDK_TIMEOUT_MS = 4000

/** The part of `wx` this app uses (the JS-SDK's own names and callback style). */
export interface Wx {
  config(config: Record<string, unknown>): void
  ready(callback: () => void): void
  error(callback: (result: { errMsg: string }) => void): void
  scanQRCode(options: {
    needResult: 0 | 1
    scanType: string[]
    success: (result: { resultStr: string }) => void
    fail?: (result: { errMsg: string }) => void
    cancel?: () => void
  }): void
  chooseImage(options: {
    count: number
    sizeType: string[]
    sourceType: string[]
    success: (result: { localIds: string[] }) => void
    fail?: (result: { errMsg: string }) => void
    cancel?: () => void
  }): void
  getLocalImgData(options: {
    localId: string
    success: (result: { localData: string }) => void
    fail?: (result: { errMsg: string }) => void
  }): void
  getLocation(options: {
    type: 'wgs84' | 'gcj02'
    success: (result: { latitude: number; longitude: number; accuracy: number }) => void
    fail?: (result: { errMsg: string }) => void
    cancel?: () => void
  }): void
  /** WeChat's own map with a "navigate" button; coordinates in GCJ-02. */
  openLocation(options: {
    latitude: number
    longitude: number
    name: string
    address: string
    scale: number
    infoUrl?: string
    fail?: (result: { errMsg: string }) => void
  }): void
}

declare global {
  interface Window {
    wx?: Wx
  }
}

export function isWeChat(userAgent: string = navigator.userAgent): boolean {
  return /MicroMessenger/i.test(userAgent)
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), ms)
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      () => {
        clearTimeout(timer)
        resolve(null)
      },
    )
  })
}

function loadScript(src: string): Promise<Wx> {
  return new Promise((resolve, reject) => {
    if (window.wx) return resolve(window.wx)
    const script = document.createElement('script')
    script.src = src
    script.async = true
    script.onload = () => (window.wx ? resolve(window.wx) : reject(new Error('jweixin loaded without wx')))
    script.onerror = () => {
      script.remove()
      reject(new Error('jweixin could not be loaded'))
    }
    document.head.appendChild(script)
  })
}

async function configure(wx: Wx, pageUrl: string): Promise<Wx> {
  const config = await must(api.GET('/api/v1/wechat/js-config', { params: { query: { url: pageUrl } } }))
  return new Promise((resolve, reject) => {
    wx.ready(() => resolve(wx))
    wx.error((result) => reject(new Error(result.errMsg)))
    wx.config({ debug: false, ...config })
  })
}

/** The page URL WeChat signs: the whole URL without its #fragment. */
export function signedUrl(href: string = location.href): string {
  return href.split('#', 1)[0] ?? href
}

// One configuration per page URL (WeChat binds the signature to the URL the page was entered with; an
// SPA keeps the first one on iOS, so the first URL is what stays configured).
let pending: Promise<Wx | null> | null = null

/** `wx` configured for this page, or null outside WeChat or when anything on the way failed. */
export function wechatSdk(): Promise<Wx | null> {
  if (!isWeChat()) return Promise.resolve(null)
  pending ??= withTimeout(
    loadScript(SDK_URL).then((wx) => configure(wx, signedUrl())),
    SDK_TIMEOUT_MS,
  )
  return pending
}

/** Forget a failed or stale configuration (tests; a page that must sign a new URL). */
export function resetWechatSdk(): void {
  pending = null
}
