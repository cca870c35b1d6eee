/** The side menu: the pages a role may open, grouped, groups in a fixed order, entries as declared. */
import { allowed } from './access'

export interface MenuPage {
  name?: string | symbol | null
  meta: {
    menu?: string
    group?: string
    icon?: string
    /** Place in its group (lower first; absent: after those that have one, in the order declared). */
    menuOrder?: number
    roles?: readonly import('./access').Role[]
    /** For merchant staff: the merchant roles the page is for (absent: every merchant user). */
    merchantRoles?: readonly string[]
  }
}

export interface MenuEntry {
  name: string
  label: string
  icon?: string
}

export interface MenuGroup {
  key: string
  entries: MenuEntry[]
}

/** Groups in the order a person's day reads them; a group not listed here comes after these. */
export const GROUP_ORDER = [
  'groups.customers',
  'groups.work',
  'groups.operations',
  'groups.merchants',
  'groups.portal',
  'groups.reports',
  'groups.system',
]

export function buildMenu(
  pages: readonly MenuPage[],
  role: string | undefined,
  merchantRole: string | null = null,
): MenuGroup[] {
  const groups = new Map<string, { entry: MenuEntry; order: number }[]>()
  for (const page of pages) {
    if (!page.meta.menu || typeof page.name !== 'string' || !allowed(page.meta.roles, role)) continue
    const forRoles = page.meta.merchantRoles
    if (forRoles && !(merchantRole && forRoles.includes(merchantRole))) continue
    const key = page.meta.group ?? 'groups.work'
    const entry = { name: page.name, label: page.meta.menu, icon: page.meta.icon }
    groups.set(key, [...(groups.get(key) ?? []), { entry, order: page.meta.menuOrder ?? Infinity }])
  }
  const rank = (key: string) => {
    const found = GROUP_ORDER.indexOf(key)
    return found === -1 ? GROUP_ORDER.length : found
  }
  return [...groups.entries()]
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([key, entries]) => ({
      key,
      entries: entries
        .map((item, index) => ({ ...item, index }))
        .sort((a, b) => (a.order === b.order ? a.index - b.index : a.order < b.order ? -1 : 1))
        .map((item) => item.entry),
    }))
}

/** The menu entry a page belongs to: itself, or the entry it declares (`meta.menuParent`) as its list. */
export function activeEntry(route: { name?: unknown; meta: { menuParent?: string } }): string {
  return route.meta.menuParent ?? String(route.name ?? '')
}
