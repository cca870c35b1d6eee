import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: '/groups',
    name: 'groups',
    component: () => import('./GroupsPage.vue'),
    meta: { auth: true, title: 'groups.title' },
  },
] satisfies RouteRecordRaw[]
