/**
 * Each feature declares its pages in `<feature>/routes.ts` (`export default [...] satisfies RouteRecordRaw[]`),
 * as children of the console layout. `meta.roles` lists who may open a page (absent: any signed-in person);
 * `meta.menu` puts it in the side menu (an i18n key) under `meta.group`. A page of another role shows
 * "not allowed", never data; a session that ends comes back to the same page after signing in.
 */
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { tokens } from './api'

export type Role = 'admin' | 'ops' | 'reviewer' | 'manager' | 'surveyor' | 'merchant'

declare module 'vue-router' {
  interface RouteMeta {
    /** Who may open the page; absent: anyone signed in. Merchant staff are `merchant`. */
    roles?: Role[]
    /** i18n key of the menu entry (absent: not in the menu). */
    menu?: string
    /** i18n key of the menu group the entry sits in. */
    group?: string
    /** Element Plus icon name of the menu entry. */
    icon?: string
    /** i18n key of the page title. */
    title?: string
    /** Open without signing in (the sign-in pages). */
    public?: boolean
  }
}

const modules = import.meta.glob<{ default: RouteRecordRaw[] }>('./*/routes.ts', { eager: true })
const pages = Object.values(modules).flatMap((module) => module.default)

const routes: RouteRecordRaw[] = [
  ...pages.filter((page) => page.meta?.public),
  {
    path: '/',
    component: () => import('./shell/ConsoleLayout.vue'),
    children: [
      ...pages.filter((page) => !page.meta?.public),
      { path: 'not-allowed', name: 'not-allowed', component: () => import('./shell/NotAllowedPage.vue') },
      { path: ':pathMatch(.*)*', name: 'not-found', component: () => import('./shell/NotFoundPage.vue') },
    ],
  },
]

export const router = createRouter({ history: createWebHistory(import.meta.env.BASE_URL), routes })

/** The role the console treats the session as (merchant staff are all `merchant` for the menu). */
export function consoleRole(role: string | undefined): Role | undefined {
  if (!role) return undefined
  return role.startsWith('merchant') ? 'merchant' : (role as Role)
}

export function allowed(roles: Role[] | undefined, role: string | undefined): boolean {
  const mine = consoleRole(role)
  return mine !== undefined && (!roles || roles.includes(mine))
}

router.beforeEach((to) => {
  if (to.meta.public) return true
  const session = tokens.session
  if (!session) return { name: 'sign-in', query: { next: to.fullPath } }
  if (!allowed(to.meta.roles, session.role)) return { name: 'not-allowed', query: { from: to.fullPath } }
  return true
})
