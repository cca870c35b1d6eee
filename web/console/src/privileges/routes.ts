import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: 'privileges',
    name: 'privilege-terms',
    component: () => import('./PrivilegesPage.vue'),
    meta: { roles: ['ops', 'admin'], menu: 'privileges.menu', group: 'groups.operations', title: 'privileges.title' },
  },
] satisfies RouteRecordRaw[]
