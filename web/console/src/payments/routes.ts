import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: 'payments/reconciliations',
    name: 'reconciliations',
    component: () => import('./ReconciliationsPage.vue'),
    meta: {
      roles: ['ops', 'admin'],
      menu: 'payments.menu',
      group: 'groups.operations',
      icon: 'Money',
      title: 'payments.title',
    },
  },
  {
    path: 'payments/reconciliations/:billDate',
    name: 'reconciliation',
    component: () => import('./ReconciliationPage.vue'),
    props: true,
    meta: { roles: ['ops', 'admin'], menuParent: 'reconciliations', title: 'payments.title' },
  },
] satisfies RouteRecordRaw[]
