import { describe, expect, it } from 'vitest'
import { actionsFor, isOpen, managesTeam, managesWebhooks, takesOrders } from './access'

describe('which steps an order allows', () => {
  it('offers accept and reject on a dispatched order to those who take orders', () => {
    expect(actionsFor('dispatched', 'dispatcher')).toEqual(['accept', 'reject'])
    expect(actionsFor('dispatched', 'merchant_admin')).toEqual(['accept', 'reject'])
  })
  it('never offers a technician to accept or reject', () => {
    expect(actionsFor('dispatched', 'technician')).toEqual([])
    expect(takesOrders('technician')).toBe(false)
  })
  it('follows the service: arrive is optional before start, complete only in service, fail while open', () => {
    expect(actionsFor('accepted', 'technician')).toEqual(['arrive', 'start', 'fail'])
    expect(actionsFor('arrived', 'technician')).toEqual(['start', 'fail'])
    expect(actionsFor('in_service', 'dispatcher')).toEqual(['complete', 'fail'])
  })
  it('offers nothing on a closed order, or one we rejected or let lapse', () => {
    for (const status of ['completed', 'failed', 'cancelled', 'rejected', 'expired']) {
      expect(actionsFor(status, 'merchant_admin')).toEqual([])
      expect(isOpen(status)).toBe(false)
    }
  })
  it('offers nothing before the role is known', () => {
    expect(actionsFor('accepted', null)).toEqual([])
  })
})

describe('who manages what', () => {
  it('keeps webhook secrets from dispatchers and technicians', () => {
    expect(managesWebhooks('merchant_admin')).toBe(true)
    expect(managesWebhooks('integration')).toBe(true)
    expect(managesWebhooks('dispatcher')).toBe(false)
    expect(managesWebhooks('technician')).toBe(false)
  })
  it('lets only the admin manage users and keys', () => {
    expect(managesTeam('merchant_admin')).toBe(true)
    expect(managesTeam('integration')).toBe(false)
    expect(managesTeam('dispatcher')).toBe(false)
  })
})
