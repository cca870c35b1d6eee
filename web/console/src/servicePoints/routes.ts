import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: '/portal/points',
    name: 'portal-points',
    component: () => import('./PortalPointsPage.vue'),
    meta: {
      roles: ['merchant'],
      group: 'groups.portal',
      menu: 'servicePoints.menu',
      icon: 'Location',
      title: 'servicePoints.title',
    },
  },
] satisfies RouteRecordRaw[]
