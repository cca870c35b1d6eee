import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: 'campaigns',
    name: 'campaigns',
    component: () => import('./CampaignsPage.vue'),
    meta: { roles: ['ops', 'admin'], menu: 'campaigns.menu', group: 'groups.operations', title: 'campaigns.title' },
  },
  {
    path: 'campaigns/:id',
    name: 'campaign',
    component: () => import('./CampaignPage.vue'),
    props: true,
    meta: { roles: ['ops', 'admin'], title: 'campaigns.progressTitle' },
  },
] satisfies RouteRecordRaw[]
