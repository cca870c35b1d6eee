import type { RouteRecordRaw } from 'vue-router'

export default [
  { path: '/sign-in', name: 'sign-in', component: () => import('./SignInPage.vue'), meta: { title: 'signIn.title' } },
  {
    path: '/wechat/callback',
    name: 'wechat-callback',
    component: () => import('./WechatCallbackPage.vue'),
    meta: { title: 'wechatBack.title' },
  },
] satisfies RouteRecordRaw[]
