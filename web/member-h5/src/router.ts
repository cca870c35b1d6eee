/**
 * Each feature declares its pages in `<feature>/routes.ts` (`export default [...] satisfies RouteRecordRaw[]`).
 * A page that needs a signed-in member says `meta: { auth: true }`; the guard sends the member to sign in
 * and back to the same page afterwards.
 */
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { tokens } from './api'

declare module 'vue-router' {
  interface RouteMeta {
    /** Only for a signed-in member. */
    auth?: boolean
    /** The tab bar item this page belongs to (shows the tab bar). */
    tab?: 'me' | 'privileges' | 'claims' | 'mall' | 'messages'
    /** i18n key of the page title (the document title and the nav bar). */
    title?: string
  }
}

const modules = import.meta.glob<{ default: RouteRecordRaw[] }>('./*/routes.ts', { eager: true })
const routes: RouteRecordRaw[] = [
  { path: '/', redirect: { name: 'me' } },
  ...Object.values(modules).flatMap((module) => module.default),
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('./shell/NotFoundPage.vue') },
]

export const router = createRouter({
  history: createWebHistory(import.meta.env.BASE_URL),
  routes,
  scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
})

// A link to a page another feature has not built yet (by its route name) lands on "not found" instead
// of breaking the page that links to it.
const resolveKnown = router.resolve.bind(router)
router.resolve = ((to: Parameters<typeof resolveKnown>[0], current?: Parameters<typeof resolveKnown>[1]) => {
  try {
    return resolveKnown(to, current)
  } catch (error) {
    if (typeof to === 'object' && to !== null && 'name' in to && to.name && !router.hasRoute(to.name)) {
      return resolveKnown({ name: 'not-found', params: { pathMatch: [String(to.name)] } }, current)
    }
    throw error
  }
}) as typeof router.resolve

router.beforeEach((to) => {
  if (to.meta.auth && !tokens.session) return { name: 'sign-in', query: { next: to.fullPath } }
  return true
})
