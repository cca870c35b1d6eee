/**
 * `useWechat()`: scan a code, pick or take photos, read the location, show a place on the map — through WeChat's JS-SDK inside
 * WeChat, through plain web APIs elsewhere (and whenever the SDK cannot be reached or configured).
 *
 * ```ts
 * const { scanQRCode, chooseImage, getLocation, inWeChat } = useWechat()
 * const files = await chooseImage({ count: 1, camera: true }) // File[]; [] when the member cancels
 * const where = await getLocation() // throws WechatUnavailable('denied' | 'unsupported' | 'failed')
 * const text = await scanQRCode() // string, or null where no scanner exists (type the code instead)
 * await openLocation({ lat, lng, name, address }, fallbackUrl) // WeChat's map (GCJ-02), else the URL
 * ```
 */
import { ref } from 'vue'
import { browserLocation, fileFromBase64, pickFiles, WechatUnavailable, type Position } from './fallbacks'
import { isWeChat, wechatSdk, type Wx } from './sdk'

export { WechatUnavailable, type Position } from './fallbacks'

/** Whether the JS-SDK answered `ready` for this page (false until known, and outside WeChat). */
const sdkReady = ref(false)

async function sdk(): Promise<Wx | null> {
  const wx = await wechatSdk()
  sdkReady.value = wx !== null
  return wx
}

function wxCall<T>(start: (resolve: (value: T) => void, reject: (error: Error) => void) => void): Promise<T> {
  return new Promise(start)
}

function failure(errMsg: string): WechatUnavailable {
  if (/cancel/i.test(errMsg)) return new WechatUnavailable('cancelled', errMsg)
  if (/deny|denied|auth/i.test(errMsg)) return new WechatUnavailable('denied', errMsg)
  return new WechatUnavailable('failed', errMsg)
}

/** A place to show on WeChat's map: GCJ-02 coordinates, as Chinese maps take them. */
export interface OpenLocation {
  lat: number
  lng: number
  name: string
  address: string
}

export interface ChooseImageOptions {
  count?: number
  /** Camera only (a guided survey shot) rather than camera or album. */
  camera?: boolean
}

export function useWechat() {
  const inWeChat = isWeChat()
  if (inWeChat) void sdk() // start configuring as soon as a page wants WeChat

  /** The scanned text; null when this browser has no scanner (offer a text field instead). */
  async function scanQRCode(): Promise<string | null> {
    const wx = await sdk()
    if (!wx) return null
    return wxCall((resolve, reject) =>
      wx.scanQRCode({
        needResult: 1,
        scanType: ['qrCode', 'barCode'],
        success: (result) => resolve(result.resultStr),
        fail: (result) => reject(failure(result.errMsg)),
        cancel: () => reject(new WechatUnavailable('cancelled')),
      }),
    )
  }

  /** Photos as Files ([] when cancelled): WeChat's picker, or `<input type=file capture>`. */
  async function chooseImage(options: ChooseImageOptions = {}): Promise<File[]> {
    const count = options.count ?? 1
    const wx = await sdk()
    if (!wx) return pickFiles({ count, capture: options.camera ? 'environment' : undefined })
    let localIds: string[]
    try {
      localIds = await wxCall<string[]>((resolve, reject) =>
        wx.chooseImage({
          count,
          sizeType: ['compressed'],
          sourceType: options.camera ? ['camera'] : ['camera', 'album'],
          success: (result) => resolve(result.localIds),
          fail: (result) => reject(failure(result.errMsg)),
          cancel: () => resolve([]),
        }),
      )
    } catch {
      return pickFiles({ count, capture: options.camera ? 'environment' : undefined })
    }
    const files: File[] = []
    for (const [index, localId] of localIds.entries()) {
      const data = await wxCall<string>((resolve, reject) =>
        wx.getLocalImgData({
          localId,
          success: (result) => resolve(result.localData),
          fail: (result) => reject(failure(result.errMsg)),
        }),
      )
      files.push(fileFromBase64(data, `photo-${Date.now()}-${index + 1}.jpg`))
    }
    return files
  }

  /** Where the phone is (WGS-84 from WeChat or the browser). */
  async function getLocation(): Promise<Position> {
    const wx = await sdk()
    if (wx) {
      try {
        return await wxCall<Position>((resolve, reject) =>
          wx.getLocation({
            type: 'wgs84',
            success: (result) => resolve({ ...result, datum: 'wgs84' }),
            fail: (result) => reject(failure(result.errMsg)),
            cancel: () => reject(new WechatUnavailable('cancelled')),
          }),
        )
      } catch (error) {
        if (error instanceof WechatUnavailable && error.reason !== 'failed') throw error
      }
    }
    return browserLocation()
  }

  /** Shows a place (GCJ-02) on WeChat's map, whose "navigate" hands it to the phone's map apps; outside
   * WeChat (or when the SDK cannot be had) the page goes to `fallbackUrl` instead. */
  async function openLocation(place: OpenLocation, fallbackUrl: string): Promise<void> {
    const wx = await sdk()
    if (wx) {
      wx.openLocation({
        latitude: place.lat,
        longitude: place.lng,
        name: place.name,
        address: place.address,
        scale: 16,
        fail: () => window.location.assign(fallbackUrl),
      })
      return
    }
    window.location.assign(fallbackUrl)
  }

  return { inWeChat, sdkReady, scanQRCode, chooseImage, getLocation, openLocation }
}
