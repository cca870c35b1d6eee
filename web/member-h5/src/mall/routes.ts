import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: '/mall',
    name: 'mall',
    component: () => import('./MallPage.vue'),
    meta: { auth: true, tab: 'mall', title: 'mall.title' },
  },
  {
    path: '/mall/rewards/:id',
    name: 'reward',
    component: () => import('./RewardPage.vue'),
    meta: { auth: true, title: 'mall.reward.title' },
  },
  {
    path: '/mall/redemptions/:id',
    name: 'redemption',
    component: () => import('./RedemptionPage.vue'),
    meta: { auth: true, title: 'mall.redemption.title' },
  },
] satisfies RouteRecordRaw[]
