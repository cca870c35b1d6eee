import type { RouteRecordRaw } from 'vue-router'

export default [
  { path: '/join', name: 'join', component: () => import('./JoinPage.vue'), meta: { title: 'join.title' } },
  {
    path: '/join/status',
    name: 'application',
    component: () => import('./ApplicationPage.vue'),
    meta: { auth: true, title: 'application.title' },
  },
  { path: '/privacy', name: 'privacy', component: () => import('./PrivacyPage.vue'), meta: { title: 'privacy.title' } },
] satisfies RouteRecordRaw[]
