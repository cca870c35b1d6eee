/**
 * Where the member is, for the report: WeChat's location when the page runs inside WeChat (through the
 * app's WeChat composable, `src/wechat/useWechat`, when it is there), else the browser's geolocation.
 */
export interface Position {
  latitude: number
  longitude: number
}

interface WechatLocator {
  getLocation?: () => Promise<Position | null | undefined>
}

// Looked up rather than imported: the WeChat composable belongs to the frame and may not be built yet.
const wechat = import.meta.glob<{ useWechat?: () => WechatLocator }>('../wechat/useWechat.ts')

async function fromWechat(): Promise<Position | null> {
  const load = Object.values(wechat)[0]
  if (!load) return null
  try {
    const position = await (await load()).useWechat?.().getLocation?.()
    return position ?? null
  } catch {
    return null // not in WeChat, or it refused: the browser may still know
  }
}

function fromBrowser(): Promise<Position> {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) return reject(new Error('no geolocation'))
    navigator.geolocation.getCurrentPosition(
      (found) => resolve({ latitude: found.coords.latitude, longitude: found.coords.longitude }),
      reject,
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 60_000 },
    )
  })
}

export async function currentPosition(): Promise<Position> {
  return (await fromWechat()) ?? (await fromBrowser())
}
