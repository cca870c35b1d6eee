import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: '/privileges',
    name: 'privileges',
    component: () => import('./PrivilegesPage.vue'),
    meta: { auth: true, tab: 'privileges', title: 'privileges.title' },
  },
  {
    path: '/privileges/:code/book',
    name: 'book',
    component: () => import('./BookPage.vue'),
    meta: { auth: true, title: 'book.title' },
  },
] satisfies RouteRecordRaw[]
