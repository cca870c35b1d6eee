import type { RouteRecordRaw } from 'vue-router'

const manager = ['manager'] as const

export default [
  {
    path: 'manager/card',
    name: 'manager-card',
    component: () => import('./CardPage.vue'),
    meta: { roles: [...manager], menu: 'manager.menu.card', icon: 'Postcard', title: 'manager.menu.card' },
  },
  {
    path: 'manager/tasks',
    name: 'manager-tasks',
    component: () => import('./TasksPage.vue'),
    meta: {
      roles: [...manager],
      menu: 'manager.menu.tasks',
      group: 'groups.customers',
      menuOrder: 3,
      icon: 'List',
      title: 'manager.menu.tasks',
    },
  },
  {
    path: 'manager/register',
    name: 'manager-register',
    component: () => import('./RegisterPage.vue'),
    meta: {
      roles: [...manager],
      menu: 'onTheSpot.register.menu',
      group: 'groups.customers',
      menuOrder: 4,
      icon: 'UserFilled',
      title: 'onTheSpot.register.title',
    },
  },
  {
    path: 'manager/kpis',
    name: 'manager-kpis',
    component: () => import('./KpiPage.vue'),
    meta: { roles: [...manager], menu: 'manager.menu.kpis', icon: 'TrendCharts', title: 'manager.menu.kpis' },
  },
  {
    path: 'manager/share',
    name: 'manager-share',
    component: () => import('./SharePage.vue'),
    meta: { roles: [...manager], menu: 'manager.menu.share', icon: 'Share', title: 'manager.menu.share' },
  },
] satisfies RouteRecordRaw[]
