import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: '/surveys',
    name: 'surveys',
    component: () => import('./SurveysPage.vue'),
    meta: { auth: true, title: 'surveys.title' },
  },
  {
    path: '/surveys/:id',
    name: 'survey',
    component: () => import('./SurveyPage.vue'),
    meta: { auth: true, title: 'surveys.answer' },
  },
] satisfies RouteRecordRaw[]
