import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: '/nearby',
    name: 'nearby',
    component: () => import('./NearbyPage.vue'),
    meta: { auth: true, title: 'nearby.title' },
  },
  {
    path: '/nearby/:id',
    name: 'service-point',
    component: () => import('./PointPage.vue'),
    meta: { auth: true, title: 'nearby.detail' },
  },
] satisfies RouteRecordRaw[]
