import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: 'reports/club',
    name: 'club-report',
    component: () => import('./ClubReportPage.vue'),
    meta: { roles: ['ops', 'admin'], menu: 'reports.clubMenu', group: 'groups.reports', title: 'reports.clubTitle' },
  },
  {
    path: 'reports/figures',
    name: 'report-figures',
    component: () => import('./FiguresPage.vue'),
    meta: {
      roles: ['ops', 'admin'],
      menu: 'reports.figuresMenu',
      group: 'groups.reports',
      title: 'reports.figuresTitle',
    },
  },
] satisfies RouteRecordRaw[]
