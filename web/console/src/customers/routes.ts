import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: 'customers',
    name: 'my-customers',
    component: () => import('./CustomersPage.vue'),
    meta: {
      roles: ['manager'],
      menu: 'customers.menu',
      group: 'groups.customers',
      menuOrder: 2,
      icon: 'User',
      title: 'customers.menu',
    },
  },
] satisfies RouteRecordRaw[]
