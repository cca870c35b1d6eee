import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: 'activities',
    name: 'activities',
    component: () => import('./ActivitiesPage.vue'),
    meta: { roles: ['ops', 'admin'], menu: 'activities.menu', group: 'groups.operations', title: 'activities.title' },
  },
  {
    path: 'activities/:id',
    name: 'activity',
    component: () => import('./ActivityPage.vue'),
    props: true,
    meta: { roles: ['ops', 'admin'], title: 'activities.detailTitle' },
  },
] satisfies RouteRecordRaw[]
