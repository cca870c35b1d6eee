import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: '/points',
    name: 'points',
    component: () => import('./PointsPage.vue'),
    meta: { auth: true, tab: 'me', title: 'points.title' },
  },
] satisfies RouteRecordRaw[]
