import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: '/messages',
    name: 'messages',
    component: () => import('./InboxPage.vue'),
    meta: { auth: true, tab: 'messages', title: 'inbox.title' },
  },
  {
    path: '/messages/preferences',
    name: 'message-preferences',
    component: () => import('./PreferencesPage.vue'),
    meta: { auth: true, title: 'inbox.preferences.title' },
  },
] satisfies RouteRecordRaw[]
