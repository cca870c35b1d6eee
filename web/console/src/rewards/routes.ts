import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: 'rewards',
    name: 'rewards',
    component: () => import('./RewardsPage.vue'),
    meta: {
      roles: ['ops', 'admin'],
      menu: 'rewards.menu',
      group: 'groups.operations',
      icon: 'Present',
      title: 'rewards.title',
    },
  },
] satisfies RouteRecordRaw[]
