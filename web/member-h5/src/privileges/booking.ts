/**
 * A booking form's fields and checks, as privilege-svc's OrderCreate takes them: each privilege lists
 * the fields its fulfilment needs (`required_fields`); the city is always sent (Fuzhou by default).
 */
import type { components } from '@cheyou/api'
import { isPlate, normalisePlate } from '@/join/identifiers'

type OrderCreate = components['schemas']['OrderCreate']

export const BOOKING_FIELDS = [
  'appointment_at',
  'pickup_address',
  'destination_address',
  'vehicle_plate',
  'flight_no',
] as const
export type BookingField = (typeof BOOKING_FIELDS)[number]

/** Fujian's prefecture-level cities and Pingtan (GB/T 2260), where the club's merchants work. */
export const CITIES = [
  '350100',
  '350200',
  '350300',
  '350400',
  '350500',
  '350600',
  '350700',
  '350800',
  '350900',
  '350128',
] as const

export interface BookingDraft {
  city: string
  day: string
  slot: string
  pickup: string
  destination: string
  plate: string
  flight: string
  notes: string
}

/** The days offered for an appointment: today and the next 13 (YYYY-MM-DD in Beijing). */
export function appointmentDays(now: Date, count = 14): string[] {
  const days: string[] = []
  const beijing = new Date(now.getTime() + 8 * 3_600_000)
  for (let i = 0; i < count; i += 1) {
    const day = new Date(Date.UTC(beijing.getUTCFullYear(), beijing.getUTCMonth(), beijing.getUTCDate() + i))
    days.push(day.toISOString().slice(0, 10))
  }
  return days
}

/** Half-hour slots from 08:00 to 21:30. */
export const SLOTS = Array.from({ length: 28 }, (_, i) => {
  const minutes = 8 * 60 + i * 30
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`
})

/** `2026-12-08` + `09:30` in Beijing as an ISO instant with its offset. */
export function appointmentIso(day: string, slot: string): string {
  return `${day}T${slot}:00+08:00`
}

/** The slots still open on `day` (at least `leadMinutes` from now). */
export function openSlots(day: string, now: Date, leadMinutes = 60): string[] {
  return SLOTS.filter((slot) => Date.parse(appointmentIso(day, slot)) >= now.getTime() + leadMinutes * 60_000)
}

/** The days a member may still book: today only while one of its slots is open (in the evening, from tomorrow). */
export function bookableDays(now: Date, count = 14): string[] {
  const days = appointmentDays(now, count + 1)
  return (openSlots(days[0] ?? '', now).length ? days : days.slice(1)).slice(0, count)
}

export const FLIGHT = /^[A-Z0-9]{2}[0-9]{1,4}[A-Z]?$/

export type BookingProblem = 'required' | 'address' | 'plate' | 'flight' | 'past'

export function bookingProblems(
  required: readonly string[],
  draft: BookingDraft,
  now: Date,
): Partial<Record<BookingField, BookingProblem>> {
  const problems: Partial<Record<BookingField, BookingProblem>> = {}
  const needs = (field: BookingField) => required.includes(field)
  if (needs('appointment_at')) {
    if (!draft.day || !draft.slot) problems.appointment_at = 'required'
    else if (Date.parse(appointmentIso(draft.day, draft.slot)) <= now.getTime()) problems.appointment_at = 'past'
  }
  for (const [field, value] of [
    ['pickup_address', draft.pickup],
    ['destination_address', draft.destination],
  ] as const) {
    if (needs(field) && !value.trim()) problems[field] = 'required'
    else if (value.trim() && value.trim().length < 2) problems[field] = 'address'
  }
  if (needs('vehicle_plate') && !draft.plate) problems.vehicle_plate = 'required'
  else if (draft.plate && !isPlate(draft.plate)) problems.vehicle_plate = 'plate'
  if (needs('flight_no') && !draft.flight) problems.flight_no = 'required'
  else if (draft.flight && !FLIGHT.test(draft.flight.trim().toUpperCase())) problems.flight_no = 'flight'
  return problems
}

/** The order to send: the privilege's fields (the time only where it asks for one), plus what else was filled in. */
export function orderBody(code: string, required: readonly string[], draft: BookingDraft): OrderCreate {
  const body: OrderCreate = { privilege_code: code, city_code: draft.city }
  if (required.includes('appointment_at')) {
    body.appointment_at = appointmentIso(draft.day, draft.slot)
  }
  if (draft.pickup.trim()) body.pickup_address = draft.pickup.trim()
  if (draft.destination.trim()) body.destination_address = draft.destination.trim()
  if (draft.plate) body.vehicle_plate = normalisePlate(draft.plate)
  if (draft.flight.trim()) body.flight_no = draft.flight.trim().toUpperCase()
  if (draft.notes.trim()) body.notes = draft.notes.trim()
  return body
}
