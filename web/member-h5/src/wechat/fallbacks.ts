/** Plain web equivalents of the JS-SDK calls, for any browser that is not WeChat (or when WeChat fails). */

export interface Position {
  latitude: number
  longitude: number
  accuracy: number
  /** `wgs84` from the browser; WeChat may answer `gcj02` (China's offset grid) when asked for it. */
  datum: 'wgs84' | 'gcj02'
}

export class WechatUnavailable extends Error {
  constructor(
    readonly reason: 'cancelled' | 'denied' | 'unsupported' | 'failed',
    message: string = reason,
  ) {
    super(message)
    this.name = 'WechatUnavailable'
  }
}

/** Opens the file picker (the camera first on phones when `capture` is set) and resolves with the files. */
export function pickFiles(options: {
  count: number
  capture?: 'environment' | 'user'
  accept?: string
}): Promise<File[]> {
  return new Promise((resolve) => {
    const input = document.createElement('input')
    input.type = 'file'
    input.accept = options.accept ?? 'image/*'
    input.multiple = options.count > 1
    if (options.capture) input.setAttribute('capture', options.capture)
    input.style.display = 'none'
    const finish = (files: File[]) => {
      input.remove()
      resolve(files.slice(0, options.count))
    }
    input.addEventListener('change', () => finish([...(input.files ?? [])]))
    input.addEventListener('cancel', () => finish([]))
    document.body.appendChild(input)
    input.click()
  })
}

export function browserLocation(timeoutMs = 10000): Promise<Position> {
  return new Promise((resolve, reject) => {
    if (!('geolocation' in navigator)) return reject(new WechatUnavailable('unsupported'))
    navigator.geolocation.getCurrentPosition(
      (found) =>
        resolve({
          latitude: found.coords.latitude,
          longitude: found.coords.longitude,
          accuracy: found.coords.accuracy,
          datum: 'wgs84',
        }),
      (error) =>
        reject(new WechatUnavailable(error.code === error.PERMISSION_DENIED ? 'denied' : 'failed', error.message)),
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 60000 },
    )
  })
}

/** A data URL or WeChat's bare base64 (`getLocalImgData`) as a File the claims upload can send. */
export function fileFromBase64(data: string, name: string): File {
  const match = /^data:([^;]+);base64,(.*)$/s.exec(data)
  const type = match?.[1] ?? 'image/jpeg'
  const body = (match?.[2] ?? data).replace(/\s/g, '')
  const bytes = Uint8Array.from(atob(body), (char) => char.charCodeAt(0))
  return new File([bytes], name, { type })
}
