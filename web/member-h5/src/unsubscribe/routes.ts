import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: '/unsubscribe',
    name: 'unsubscribe',
    component: () => import('./UnsubscribePage.vue'),
    meta: { title: 'unsubscribe.title' },
  },
] satisfies RouteRecordRaw[]
