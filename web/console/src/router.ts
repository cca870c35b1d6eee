/**
 * Each feature declares its pages in `<feature>/routes.ts` (`export default [...] satisfies RouteRecordRaw[]`),
 * as children of the console layout. `meta.roles` lists who may open a page (absent: any signed-in person);
 * `meta.menu` puts it in the side menu (an i18n key) under `meta.group`, with `meta.icon` (an Element Plus
 * icon's name); a detail page names its list in `meta.menuParent` so the menu lights that entry. A page of
 * another role shows "not allowed", never data; a session that ends comes back to the same page after signing in.
 */
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { tokens } from './api'
import { allowed, consoleRole, type Role } from './shell/access'

export { allowed, consoleRole, type Role }

declare module 'vue-router' {
  interface RouteMeta {
    /** Who may open the page; absent: anyone signed in. Merchant staff are `merchant`. */
    roles?: Role[]
    /** i18n key of the menu entry (absent: not in the menu). */
    menu?: string
    /** i18n key of the menu group the entry sits in (`groups.work` when absent). */
    group?: string
    /** Element Plus icon name of the menu entry (`Stamp`, `Camera`…). */
    icon?: string
    /** Place of the entry in its group (lower first; absent: after those that have one, as declared). */
    menuOrder?: number
    /** The menu entry (a route name) a page without one of its own lights up, e.g. its list. */
    menuParent?: string
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
      {
        path: 'not-allowed',
        name: 'not-allowed',
        component: () => import('./shell/NotAllowedPage.vue'),
        meta: { title: 'shell.notAllowedTitle' },
      },
      {
        path: ':pathMatch(.*)*',
        name: 'not-found',
        component: () => import('./shell/NotFoundPage.vue'),
        meta: { title: 'shell.notFound' },
      },
    ],
  },
]

export const router = createRouter({
  history: createWebHistory(import.meta.env.BASE_URL),
  routes,
  scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
})

router.beforeEach((to) => {
  if (to.meta.public) return true
  const session = tokens.session
  if (!session) return { name: 'sign-in', query: { next: to.fullPath } }
  if (!allowed(to.meta.roles, session.role)) return { name: 'not-allowed', query: { from: to.fullPath } }
  return true
})
