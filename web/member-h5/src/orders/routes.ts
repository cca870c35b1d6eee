import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: '/orders',
    name: 'orders',
    component: () => import('./OrdersPage.vue'),
    meta: { auth: true, title: 'orders.title' },
  },
  {
    path: '/orders/:id',
    name: 'order',
    component: () => import('./OrderPage.vue'),
    meta: { auth: true, title: 'orders.detail' },
  },
] satisfies RouteRecordRaw[]
