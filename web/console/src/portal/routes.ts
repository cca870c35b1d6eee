/**
 * The merchant portal: merchant staff only (`roles: ['merchant']`). Within it, `merchantRoles` names the
 * merchant roles a page is for (absent: every merchant user); the page itself says "not allowed" to the others.
 */
import type { RouteRecordRaw } from 'vue-router'
import type { MerchantRole } from './access'

declare module 'vue-router' {
  interface RouteMeta {
    /** Merchant roles a portal page is for (absent: all); see portal/access.ts. */
    merchantRoles?: MerchantRole[]
  }
}

const portal = { roles: ['merchant' as const], group: 'groups.portal' }

export default [
  {
    path: '/portal',
    redirect: { name: 'portal-orders' },
  },
  {
    path: '/portal/orders',
    name: 'portal-orders',
    component: () => import('./OrdersPage.vue'),
    meta: { ...portal, menu: 'portal.menu.orders', icon: 'Tickets', title: 'portal.orders.title' },
  },
  {
    path: '/portal/orders/:orderId',
    name: 'portal-order',
    component: () => import('./OrderDetailPage.vue'),
    props: true,
    meta: { ...portal, title: 'portal.orders.detailTitle', menuParent: 'portal-orders' },
  },
  {
    path: '/portal/coupons',
    name: 'portal-coupons',
    component: () => import('./CouponsPage.vue'),
    meta: { ...portal, menu: 'portal.menu.coupons', icon: 'Ticket', title: 'portal.coupons.title' },
  },
  {
    path: '/portal/score',
    name: 'portal-score',
    component: () => import('./ScorecardPage.vue'),
    meta: { ...portal, menu: 'portal.menu.score', icon: 'TrendCharts', title: 'portal.score.title' },
  },
  {
    path: '/portal/webhooks',
    name: 'portal-webhooks',
    component: () => import('./WebhooksPage.vue'),
    meta: {
      ...portal,
      menu: 'portal.menu.webhooks',
      icon: 'Connection',
      title: 'portal.webhooks.title',
      merchantRoles: ['merchant_admin', 'integration'],
    },
  },
  {
    path: '/portal/webhooks/:endpointId',
    name: 'portal-webhook',
    component: () => import('./WebhookEndpointPage.vue'),
    props: true,
    meta: {
      ...portal,
      title: 'portal.webhooks.endpointTitle',
      menuParent: 'portal-webhooks',
      merchantRoles: ['merchant_admin', 'integration'],
    },
  },
  {
    path: '/portal/team',
    name: 'portal-team',
    component: () => import('./TeamPage.vue'),
    meta: {
      ...portal,
      menu: 'portal.menu.team',
      icon: 'UserFilled',
      title: 'portal.team.title',
      merchantRoles: ['merchant_admin'],
    },
  },
] satisfies RouteRecordRaw[]
