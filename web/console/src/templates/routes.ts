import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: 'templates',
    name: 'templates',
    component: () => import('./TemplatesPage.vue'),
    meta: {
      roles: ['ops', 'admin'],
      menu: 'templates.menu',
      group: 'groups.operations',
      icon: 'Document',
      title: 'templates.title',
    },
  },
] satisfies RouteRecordRaw[]
