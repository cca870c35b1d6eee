import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: '/policies',
    name: 'policies',
    component: () => import('./PoliciesPage.vue'),
    meta: { auth: true, title: 'policies.title' },
  },
] satisfies RouteRecordRaw[]
