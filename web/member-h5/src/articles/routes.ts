import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: '/articles',
    name: 'articles',
    component: () => import('./ArticlesPage.vue'),
    meta: { auth: true, tab: 'messages', title: 'articles.title' },
  },
  {
    path: '/articles/:id',
    name: 'article',
    component: () => import('./ArticlePage.vue'),
    meta: { auth: true, title: 'articles.title' },
  },
] satisfies RouteRecordRaw[]
