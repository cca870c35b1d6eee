import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: 'invitations',
    name: 'invitation-import',
    component: () => import('./InvitationsPage.vue'),
    meta: { roles: ['ops', 'admin'], menu: 'invitations.menu', group: 'groups.operations', title: 'invitations.title' },
  },
] satisfies RouteRecordRaw[]
