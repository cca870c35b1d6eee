import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: 'coupons',
    name: 'coupons',
    component: () => import('./CouponsPage.vue'),
    meta: {
      roles: ['ops', 'admin'],
      menu: 'coupons.menu',
      group: 'groups.operations',
      icon: 'Ticket',
      title: 'coupons.title',
    },
  },
] satisfies RouteRecordRaw[]
