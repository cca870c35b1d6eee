import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: 'feeds',
    name: 'feeds',
    component: () => import('./FeedsPage.vue'),
    meta: {
      roles: ['ops', 'admin'],
      menu: 'feeds.menu',
      group: 'groups.operations',
      icon: 'Lightning',
      title: 'feeds.title',
    },
  },
] satisfies RouteRecordRaw[]
