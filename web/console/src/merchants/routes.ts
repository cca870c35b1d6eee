import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: 'merchants',
    name: 'merchants',
    component: () => import('./MerchantsPage.vue'),
    meta: { roles: ['ops', 'admin'], menu: 'merchants.menu', group: 'groups.merchants', title: 'merchants.title' },
  },
  {
    path: 'merchants/:id',
    name: 'merchant',
    component: () => import('./MerchantPage.vue'),
    props: true,
    meta: { roles: ['ops', 'admin'], title: 'merchants.detailTitle' },
  },
] satisfies RouteRecordRaw[]
