import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: 'needs-surveys',
    name: 'needs-surveys',
    component: () => import('./NeedsSurveysPage.vue'),
    meta: {
      roles: ['ops', 'admin'],
      menu: 'needsSurveys.menu',
      group: 'groups.operations',
      icon: 'Tickets',
      title: 'needsSurveys.title',
    },
  },
  {
    path: 'needs-surveys/:id',
    name: 'needs-survey',
    component: () => import('./ResultsPage.vue'),
    props: true,
    meta: { roles: ['ops', 'admin'], title: 'needsSurveys.resultsTitle', menuParent: 'needs-surveys' },
  },
] satisfies RouteRecordRaw[]
