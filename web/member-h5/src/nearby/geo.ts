/**
 * Coordinates on the member's side: the phone gives WGS-84 (GPS), the service points and Chinese maps are
 * GCJ-02. The well-known transform (the same as merchant-svc's `service_points/coordinates.py`) places the
 * member on the map beside the points; distances come from the service.
 */

const A = 6378245.0 // Krasovsky 1940, the ellipsoid of the GCJ-02 formula
const EE = 0.00669342162296594323

function shiftLat(x: number, y: number): number {
  let ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x))
  ret += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0
  ret += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0
  ret += ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320.0 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0
  return ret
}

function shiftLng(x: number, y: number): number {
  let ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x))
  ret += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0
  ret += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0
  ret += ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0
  return ret
}

export interface LatLng {
  lat: number
  lng: number
}

/** A point on the map: where (GCJ-02), what a screen reader says of it, open or not. */
export interface MapMarker extends LatLng {
  id: string
  label: string
  open: boolean
}

/** A WGS-84 position as Chinese maps draw it (GCJ-02). Only meaningful inside China. */
export function wgs84ToGcj02(lat: number, lng: number): LatLng {
  const radLat = (lat / 180.0) * Math.PI
  const magic = 1 - EE * Math.sin(radLat) ** 2
  const sqrtMagic = Math.sqrt(magic)
  const dLat = (shiftLat(lng - 105.0, lat - 35.0) * 180.0) / (((A * (1 - EE)) / (magic * sqrtMagic)) * Math.PI)
  const dLng = (shiftLng(lng - 105.0, lat - 35.0) * 180.0) / ((A / sqrtMagic) * Math.cos(radLat) * Math.PI)
  return { lat: lat + dLat, lng: lng + dLng }
}

/** "350 米", "1.2 公里" (zh-CN) or "350 m", "1.2 km". */
export function formatDistance(metres: number, locale: string): string {
  const zh = locale.startsWith('zh')
  if (metres < 1000) return zh ? `${Math.round(metres)} 米` : `${Math.round(metres)} m`
  const km = metres < 10_000 ? (metres / 1000).toFixed(1) : String(Math.round(metres / 1000))
  return zh ? `${km} 公里` : `${km} km`
}

export interface DayHours {
  day: number
  opens: string
  closes: string
}

/** Today's hours (ISO weekday in Shanghai) as "08:00–20:00", "全天" for round the clock; null when closed all day. */
export function hoursOn(hours: readonly DayHours[], isoWeekday: number): string[] | null {
  const today = hours.filter((h) => h.day === isoWeekday)
  if (!today.length) return null
  return today.map((h) => (h.opens === '00:00' && h.closes === '24:00' ? '00:00–24:00' : `${h.opens}–${h.closes}`))
}

/** The ISO weekday (1 Monday … 7 Sunday) it is in Shanghai at `now`. */
export function shanghaiWeekday(now: Date = new Date()): number {
  const day = new Date(now.getTime() + 8 * 3_600_000).getUTCDay()
  return day === 0 ? 7 : day
}

/** Where "navigate" goes outside WeChat: `VITE_MAP_NAV_URL` with {lat} {lng} {name} (GCJ-02), else a geo: URI. */
export function navigationUrl(template: string | undefined, point: LatLng & { name: string }): string {
  const fill = (value: string) =>
    value
      .replaceAll('{lat}', point.lat.toFixed(6))
      .replaceAll('{lng}', point.lng.toFixed(6))
      .replaceAll('{name}', encodeURIComponent(point.name))
  return fill(template || 'geo:{lat},{lng}?q={lat},{lng}({name})')
}
