import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: '/vehicles',
    name: 'vehicles',
    component: () => import('./VehiclesPage.vue'),
    meta: { auth: true, title: 'vehicles.title' },
  },
] satisfies RouteRecordRaw[]
