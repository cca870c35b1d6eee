import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: 'publishing',
    name: 'publishing',
    component: () => import('./PublishingPage.vue'),
    meta: {
      roles: ['ops', 'admin'],
      menu: 'publishing.menu',
      group: 'groups.operations',
      icon: 'Promotion',
      title: 'publishing.title',
    },
  },
] satisfies RouteRecordRaw[]
