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
      icon: 'Calendar',
      title: 'visits.menu.plan',
    },
  },
] satisfies RouteRecordRaw[]
