/** A manager's book: their customers with tier, policies and the last visit. */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'

export type Customer = components['schemas']['MemberRead']
export type Policy = components['schemas']['PolicyRead']
export type Visit = components['schemas']['VisitRead']

export interface BookEntry {
  customer: Customer
  policies: Policy[]
  lastVisit: Visit | null
}

async function pages<T>(load: (cursor: string | undefined) => Promise<{ items: T[]; next_cursor?: string | null }>) {
  const items: T[] = []
  let cursor: string | undefined
  do {
    const page = await load(cursor)
    items.push(...page.items)
    cursor = page.next_cursor ?? undefined
  } while (cursor && items.length < 2000)
  return items
}

/** Customers with their policies and newest visit, by member (visits come newest first). */
export function book(customers: Customer[], policies: Policy[], visits: Visit[]): BookEntry[] {
  const policiesOf = new Map<string, Policy[]>()
  for (const policy of policies) {
    if (!policy.member_id) continue
    policiesOf.set(policy.member_id, [...(policiesOf.get(policy.member_id) ?? []), policy])
  }
  const lastVisit = new Map<string, Visit>()
  for (const visit of visits) {
    const known = lastVisit.get(visit.member_id)
    if (!known || Date.parse(visit.visited_at) > Date.parse(known.visited_at)) lastVisit.set(visit.member_id, visit)
  }
  return customers.map((customer) => ({
    customer,
    policies: policiesOf.get(customer.member_id) ?? [],
    lastVisit: lastVisit.get(customer.member_id) ?? null,
  }))
}

export function useCustomers() {
  return {
    customers: (staffId: string) =>
      pages((cursor) =>
        must(
          api.GET('/api/v1/managers/{staff_id}/customers', {
            params: { path: { staff_id: staffId }, query: { limit: 200, cursor } },
          }),
        ),
      ),
    /** The policies of all of this manager's customers. */
    policies: () => pages((cursor) => must(api.GET('/api/v1/policies', { params: { query: { limit: 200, cursor } } }))),
    visits: () => pages((cursor) => must(api.GET('/api/v1/visits', { params: { query: { limit: 200, cursor } } }))),
  }
}
