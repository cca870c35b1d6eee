import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: '/games',
    name: 'games',
    component: () => import('./GamesPage.vue'),
    meta: { auth: true, tab: 'mall', title: 'games.title' },
  },
  {
    path: '/games/:id',
    name: 'game',
    component: () => import('./GamePage.vue'),
    meta: { auth: true, title: 'games.play' },
  },
] satisfies RouteRecordRaw[]
