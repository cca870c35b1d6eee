import { describe, expect, it } from 'vitest'
import { safeNext } from './access'
import { activeEntry, buildMenu, type MenuPage } from './menu'

const pages: MenuPage[] = [
  { name: 'reports', meta: { menu: 'm.reports', group: 'groups.reports', roles: ['ops', 'admin'] } },
  { name: 'queue', meta: { menu: 'm.queue', group: 'groups.work', roles: ['reviewer'], icon: 'Stamp' } },
  { name: 'figures', meta: { menu: 'm.figures', group: 'groups.reports', roles: ['reviewer', 'ops'] } },
  { name: 'task', meta: { roles: ['reviewer'] } },
  { name: 'staff', meta: { menu: 'm.staff', group: 'groups.system', roles: ['admin'] } },
  { name: 'orders', meta: { menu: 'm.orders', group: 'groups.portal', roles: ['merchant'] } },
]

describe('buildMenu', () => {
  it('shows a role only its own pages, in menu groups of a fixed order', () => {
    expect(buildMenu(pages, 'reviewer')).toEqual([
      { key: 'groups.work', entries: [{ name: 'queue', label: 'm.queue', icon: 'Stamp' }] },
      { key: 'groups.reports', entries: [{ name: 'figures', label: 'm.figures', icon: undefined }] },
    ])
    expect(buildMenu(pages, 'admin').map((g) => g.key)).toEqual(['groups.reports', 'groups.system'])
  })
  it('puts entries with a menuOrder first in their group, the rest as declared', () => {
    const ordered: MenuPage[] = [
      { name: 'a', meta: { menu: 'a', group: 'groups.customers' } },
      { name: 'b', meta: { menu: 'b', group: 'groups.customers', menuOrder: 2 } },
      { name: 'c', meta: { menu: 'c', group: 'groups.customers', menuOrder: 1 } },
    ]
    expect(buildMenu(ordered, 'manager')[0]?.entries.map((e) => e.name)).toEqual(['c', 'b', 'a'])
  })
  it('treats every merchant role as the merchant portal', () => {
    expect(buildMenu(pages, 'merchant_dispatcher').flatMap((g) => g.entries.map((e) => e.name))).toEqual(['orders'])
  })
  it('offers merchant staff only the portal pages their merchant role is for', () => {
    const portal: MenuPage[] = [
      { name: 'orders', meta: { menu: 'm.orders', group: 'groups.portal', roles: ['merchant'] } },
      {
        name: 'webhooks',
        meta: {
          menu: 'm.webhooks',
          group: 'groups.portal',
          roles: ['merchant'],
          merchantRoles: ['merchant_admin', 'integration'],
        },
      },
    ]
    const names = (merchantRole: string | null) =>
      buildMenu(portal, 'merchant', merchantRole).flatMap((g) => g.entries.map((e) => e.name))
    expect(names('dispatcher')).toEqual(['orders'])
    expect(names('merchant_admin')).toEqual(['orders', 'webhooks'])
    expect(names(null)).toEqual(['orders'])
  })
  it('shows nothing without a session', () => {
    expect(buildMenu(pages, undefined)).toEqual([])
  })
})

describe('activeEntry', () => {
  it('lights the list a detail page belongs to', () => {
    expect(activeEntry({ name: 'task', meta: { menuParent: 'queue' } })).toBe('queue')
    expect(activeEntry({ name: 'queue', meta: {} })).toBe('queue')
  })
})

describe('safeNext', () => {
  it('comes back only to a page of the console', () => {
    expect(safeNext('/verification?x=1')).toBe('/verification?x=1')
    expect(safeNext('//evil.example/')).toBeUndefined()
    expect(safeNext('https://evil.example/')).toBeUndefined()
    expect(safeNext('/\\evil.example')).toBeUndefined()
    expect(safeNext('/sign-in?next=/x')).toBeUndefined()
    expect(safeNext(['/a'])).toBeUndefined()
  })
})
