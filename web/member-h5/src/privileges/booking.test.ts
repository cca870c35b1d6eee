import { describe, expect, it } from 'vitest'
import {
  appointmentDays,
  appointmentIso,
  bookableDays,
  bookingProblems,
  openSlots,
  orderBody,
  type BookingDraft,
} from './booking'

const empty: BookingDraft = {
  city: '350100',
  day: '',
  slot: '',
  pickup: '',
  destination: '',
  plate: '',
  flight: '',
  notes: '',
}
// 2026-12-07 22:10 in Beijing.
const now = new Date('2026-12-07T14:10:00Z')

describe('appointments', () => {
  it('offers days from today in Beijing', () => {
    expect(appointmentDays(now, 3)).toEqual(['2026-12-07', '2026-12-08', '2026-12-09'])
  })
  it('leaves out slots that are past or too soon', () => {
    expect(openSlots('2026-12-07', now)).toEqual([])
    expect(openSlots('2026-12-08', now)[0]).toBe('08:00')
    expect(appointmentIso('2026-12-08', '09:30')).toBe('2026-12-08T09:30:00+08:00')
  })
  it('starts the days a member can book tomorrow once today is closed', () => {
    expect(bookableDays(now, 2)).toEqual(['2026-12-08', '2026-12-09'])
    expect(bookableDays(new Date('2026-12-07T02:00:00Z'), 2)).toEqual(['2026-12-07', '2026-12-08'])
  })
})

describe('bookingProblems', () => {
  it("asks for exactly the privilege's fields", () => {
    expect(bookingProblems(['pickup_address', 'destination_address'], empty, now)).toEqual({
      pickup_address: 'required',
      destination_address: 'required',
    })
    expect(bookingProblems([], empty, now)).toEqual({})
  })
  it('checks plates, flights and the time', () => {
    const draft = { ...empty, day: '2026-12-07', slot: '09:00', plate: '闽A1234', flight: 'MF8101X1' }
    expect(bookingProblems(['appointment_at', 'vehicle_plate', 'flight_no'], draft, now)).toEqual({
      appointment_at: 'past',
      vehicle_plate: 'plate',
      flight_no: 'flight',
    })
  })
})

describe('orderBody', () => {
  it('sends the fields filled in, normalised', () => {
    const draft = {
      ...empty,
      city: '350128',
      pickup: ' 五四路158号 ',
      destination: '金山大道618号',
      plate: '闽a·x5439',
    }
    expect(orderBody('after_drinking_driving', ['pickup_address', 'destination_address'], draft)).toEqual({
      privilege_code: 'after_drinking_driving',
      city_code: '350128',
      pickup_address: '五四路158号',
      destination_address: '金山大道618号',
      vehicle_plate: '闽AX5439',
    })
  })
})
