import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: '/me',
    name: 'me',
    component: () => import('./MePage.vue'),
    meta: { auth: true, tab: 'me', title: 'me.title' },
  },
] satisfies RouteRecordRaw[]
