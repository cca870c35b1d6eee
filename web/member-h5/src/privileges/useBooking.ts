/** Booking a privilege: one Idempotency-Key per booking, so a retry after a lost answer books once. */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'

export type Order = components['schemas']['OrderRead']

export function useBooking() {
  return {
    async book(body: components['schemas']['OrderCreate'], key: string): Promise<Order> {
      return must(api.POST('/api/v1/orders', { body, headers: { 'Idempotency-Key': key } }))
    },
  }
}
