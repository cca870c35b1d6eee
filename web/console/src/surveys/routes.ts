import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: 'surveys',
    name: 'survey-queue',
    component: () => import('./QueuePage.vue'),
    meta: { roles: ['surveyor'], menu: 'surveys.menu.queue', icon: 'Camera', title: 'surveys.menu.queue' },
  },
  {
    path: 'surveys/:claimId',
    name: 'survey-case',
    component: () => import('./CasePage.vue'),
    props: true,
    meta: { roles: ['surveyor'], menuParent: 'survey-queue', title: 'surveys.case.title' },
  },
  {
    path: 'surveys-mediation',
    name: 'survey-mediation',
    component: () => import('./MediationPage.vue'),
    meta: { roles: ['surveyor'], menu: 'surveys.menu.mediation', icon: 'Calendar', title: 'surveys.menu.mediation' },
  },
] satisfies RouteRecordRaw[]
