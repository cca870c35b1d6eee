import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: 'visits',
    name: 'visit-plan',
    component: () => import('./VisitPlanPage.vue'),
    meta: {
      roles: ['manager'],
      menu: 'visits.menu.plan',
      group: 'groups.customers',
      menuOrder: 1,
      icon: 'Calendar',
      title: 'visits.menu.plan',
    },
  },
] satisfies RouteRecordRaw[]
