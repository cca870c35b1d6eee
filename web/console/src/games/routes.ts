import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: 'games',
    name: 'games',
    component: () => import('./GamesPage.vue'),
    meta: {
      roles: ['ops', 'admin'],
      menu: 'games.menu',
      group: 'groups.operations',
      icon: 'Trophy',
      title: 'games.title',
    },
  },
  {
    path: 'games/:id',
    name: 'game',
    component: () => import('./GamePage.vue'),
    props: true,
    meta: { roles: ['ops', 'admin'], title: 'games.detailTitle', menuParent: 'games' },
  },
] satisfies RouteRecordRaw[]
