import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: 'interest-groups',
    name: 'interest-groups',
    component: () => import('./InterestGroupsPage.vue'),
    meta: {
      roles: ['ops', 'admin'],
      menu: 'interestGroups.menu',
      group: 'groups.operations',
      icon: 'ChatDotRound',
      title: 'interestGroups.title',
    },
  },
] satisfies RouteRecordRaw[]
