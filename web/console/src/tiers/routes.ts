import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: 'tiers',
    name: 'tier-rules',
    component: () => import('./TierRulesPage.vue'),
    meta: { roles: ['ops', 'admin'], menu: 'tiers.menu', group: 'groups.operations', title: 'tiers.title' },
  },
] satisfies RouteRecordRaw[]
