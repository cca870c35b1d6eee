import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: 'staff',
    name: 'staff-accounts',
    component: () => import('./StaffPage.vue'),
    meta: { roles: ['admin'], menu: 'staff.menu', group: 'groups.system', icon: 'UserFilled', title: 'staff.menu' },
  },
] satisfies RouteRecordRaw[]
