import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: 'accountability',
    name: 'accountability',
    component: () => import('./CasesPage.vue'),
    meta: {
      roles: ['ops', 'admin'],
      menu: 'accountability.menu',
      group: 'groups.merchants',
      title: 'accountability.title',
    },
  },
] satisfies RouteRecordRaw[]
