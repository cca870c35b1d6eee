/** What the surveyor checks on each photo: when and where it was taken, against the loss. */
export interface PhotoFacts {
  taken_at: string | null
  gps_latitude: number | null
  gps_longitude: number | null
  flags: string[]
}

export interface PhotoCheck {
  key: 'time' | 'place'
  ok: boolean
  /** i18n key of the words for this check's result. */
  words: string
}

/** Great-circle distance in metres. */
export function distanceMetres(a: [number, number], b: [number, number]): number {
  const rad = (deg: number) => (deg * Math.PI) / 180
  const dLat = rad(b[0] - a[0])
  const dLon = rad(b[1] - a[1])
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a[0])) * Math.cos(rad(b[0])) * Math.sin(dLon / 2) ** 2
  return Math.round(2 * 6_371_000 * Math.asin(Math.sqrt(h)))
}

export function photoChecks(photo: PhotoFacts): PhotoCheck[] {
  const flags = new Set(photo.flags)
  const time: PhotoCheck = flags.has('no_capture_time')
    ? { key: 'time', ok: false, words: 'surveys.checks.noTime' }
    : flags.has('taken_long_before_loss')
      ? { key: 'time', ok: false, words: 'surveys.checks.tooEarly' }
      : flags.has('capture_time_in_future')
        ? { key: 'time', ok: false, words: 'surveys.checks.future' }
        : { key: 'time', ok: true, words: 'surveys.checks.timeOk' }
  const hasGps = photo.gps_latitude !== null && photo.gps_longitude !== null
  const place: PhotoCheck = flags.has('far_from_loss_location')
    ? { key: 'place', ok: false, words: 'surveys.checks.far' }
    : hasGps
      ? { key: 'place', ok: true, words: 'surveys.checks.placeOk' }
      : { key: 'place', ok: false, words: 'surveys.checks.noGps' }
  return [time, place]
}
