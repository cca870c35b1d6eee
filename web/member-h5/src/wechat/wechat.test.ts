import { afterEach, describe, expect, it, vi } from 'vitest'
import { fileFromBase64 } from './fallbacks'
import { isWeChat, resetWechatSdk, SDK_TIMEOUT_MS, signedUrl, wechatSdk } from './sdk'

const WECHAT_UA =
  'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36 MicroMessenger/8.0.50'

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
  resetWechatSdk()
})

describe('isWeChat', () => {
  it("knows WeChat's in-app browser by MicroMessenger", () => {
    expect(isWeChat(WECHAT_UA)).toBe(true)
    expect(isWeChat('Mozilla/5.0 (iPhone) Safari/604.1')).toBe(false)
  })
})

describe('signedUrl', () => {
  it('drops the fragment, keeps the query', () => {
    expect(signedUrl('http://127.0.0.1:8080/h5/me?a=1#top')).toBe('http://127.0.0.1:8080/h5/me?a=1')
  })
})

describe('wechatSdk', () => {
  it('is null outside WeChat without touching the network', async () => {
    const append = vi.spyOn(document.head, 'appendChild')
    expect(await wechatSdk()).toBeNull()
    expect(append).not.toHaveBeenCalled()
  })

  it("gives up when WeChat's script never answers (no internet), so pages fall back", async () => {
    vi.useFakeTimers()
    vi.spyOn(navigator, 'userAgent', 'get').mockReturnValue(WECHAT_UA)
    const found = wechatSdk()
    await vi.advanceTimersByTimeAsync(SDK_TIMEOUT_MS + 1)
    expect(await found).toBeNull()
    expect(document.querySelector('script[src*="jweixin"]')).not.toBeNull()
  })
})

describe('fileFromBase64', () => {
  it("turns WeChat's bare base64 and a data URL into files", async () => {
    const bare = fileFromBase64(btoa('jpeg!'), 'a.jpg')
    expect(bare.type).toBe('image/jpeg')
    expect(await bare.text()).toBe('jpeg!')
    const png = fileFromBase64(`data:image/png;base64,${btoa('png!')}`, 'b.png')
    expect(png.type).toBe('image/png')
    expect(await png.text()).toBe('png!')
  })
})
