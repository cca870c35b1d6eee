import type { RouteRecordRaw } from 'vue-router'

export default [
  { path: '/sign-in', name: 'sign-in', component: () => import('./SignInPage.vue'), meta: { title: 'signIn.title' } },
] satisfies RouteRecordRaw[]
