import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: '/claims',
    name: 'claims',
    component: () => import('./ClaimsPage.vue'),
    meta: { auth: true, tab: 'claims', title: 'claims.title' },
  },
  {
    path: '/claims/new',
    name: 'claim-report',
    component: () => import('./ClaimReportPage.vue'),
    meta: { auth: true, title: 'claims.form.title' },
  },
  {
    path: '/claims/:id',
    name: 'claim',
    component: () => import('./ClaimPage.vue'),
    meta: { auth: true, title: 'claims.detail.title' },
  },
  {
    path: '/claims/:id/liability',
    name: 'claim-liability',
    component: () => import('./LiabilityPage.vue'),
    meta: { auth: true, title: 'claims.liability.title' },
  },
  {
    path: '/claims/:id/survey',
    name: 'claim-survey',
    component: () => import('./SurveyPage.vue'),
    meta: { auth: true, title: 'claims.survey.title' },
  },
  {
    path: '/claims/:id/documents',
    name: 'claim-documents',
    component: () => import('./DocumentsPage.vue'),
    meta: { auth: true, title: 'claims.documents.title' },
  },
  {
    path: '/claims/:id/appointment',
    name: 'claim-appointment',
    component: () => import('./AppointmentPage.vue'),
    meta: { auth: true, title: 'claims.appointment.title' },
  },
] satisfies RouteRecordRaw[]
