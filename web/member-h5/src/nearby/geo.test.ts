import { describe, expect, it } from 'vitest'
import { formatDistance, hoursOn, navigationUrl, shanghaiWeekday, wgs84ToGcj02 } from './geo'

describe('wgs84ToGcj02', () => {
  it('gives the published test vector (the same as merchant-svc)', () => {
    const { lat, lng } = wgs84ToGcj02(31.1774276, 121.5272106)
    expect(lat).toBeCloseTo(31.17530398364597, 10)
    expect(lng).toBeCloseTo(121.531541859215, 10)
  })
})

describe('formatDistance', () => {
  it('says metres under a kilometre and kilometres above', () => {
    expect(formatDistance(349.6, 'zh-CN')).toBe('350 米')
    expect(formatDistance(1234, 'zh-CN')).toBe('1.2 公里')
    expect(formatDistance(23_456, 'en')).toBe('23 km')
  })
})

describe('hoursOn', () => {
  const hours = [
    { day: 1, opens: '08:00', closes: '20:00' },
    { day: 2, opens: '00:00', closes: '24:00' },
  ]
  it('gives the day’s spans, or null when closed', () => {
    expect(hoursOn(hours, 1)).toEqual(['08:00–20:00'])
    expect(hoursOn(hours, 2)).toEqual(['00:00–24:00'])
    expect(hoursOn(hours, 3)).toBeNull()
  })
})

describe('shanghaiWeekday', () => {
  it('counts in Shanghai: Sunday 20:00 UTC is Monday there', () => {
    expect(shanghaiWeekday(new Date('2026-12-06T20:00:00Z'))).toBe(1)
    expect(shanghaiWeekday(new Date('2026-12-06T10:00:00Z'))).toBe(7)
  })
})

describe('navigationUrl', () => {
  it('fills the template with GCJ-02 and the encoded name', () => {
    expect(
      navigationUrl('https://nav.example.cn/?to={lng},{lat},{name}', { lat: 26.1, lng: 119.3, name: '五一店' }),
    ).toBe('https://nav.example.cn/?to=119.300000,26.100000,%E4%BA%94%E4%B8%80%E5%BA%97')
    expect(navigationUrl(undefined, { lat: 26.1, lng: 119.3, name: 'A' })).toBe(
      'geo:26.100000,119.300000?q=26.100000,119.300000(A)',
    )
  })
})
