import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: '/activities',
    name: 'activities',
    component: () => import('./ActivitiesPage.vue'),
    meta: { auth: true, tab: 'mall', title: 'activities.title' },
  },
  {
    path: '/activities/:id',
    name: 'activity',
    component: () => import('./ActivityPage.vue'),
    meta: { auth: true, title: 'activities.detail' },
  },
] satisfies RouteRecordRaw[]
