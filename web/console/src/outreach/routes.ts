import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: 'reports/invitations',
    name: 'invitation-report',
    component: () => import('./InvitationReportPage.vue'),
    meta: {
      roles: ['ops', 'admin'],
      menu: 'outreach.menu',
      group: 'groups.reports',
      icon: 'DataAnalysis',
      title: 'outreach.title',
    },
  },
] satisfies RouteRecordRaw[]
