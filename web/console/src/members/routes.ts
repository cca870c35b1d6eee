import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: 'members',
    name: 'members',
    component: () => import('./MembersPage.vue'),
    meta: { roles: ['ops', 'admin'], menu: 'members.menu', group: 'groups.operations', title: 'members.title' },
  },
] satisfies RouteRecordRaw[]
