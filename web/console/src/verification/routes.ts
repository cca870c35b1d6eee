import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: 'verification',
    name: 'verification-queue',
    component: () => import('./QueuePage.vue'),
    meta: {
      roles: ['reviewer', 'ops', 'admin'],
      menu: 'verification.menu.queue',
      group: 'groups.work',
      icon: 'Stamp',
      title: 'verification.menu.queue',
    },
  },
  {
    path: 'verification/tasks/:taskId',
    name: 'verification-task',
    component: () => import('./TaskPage.vue'),
    props: true,
    meta: { roles: ['reviewer', 'ops', 'admin'], menuParent: 'verification-queue', title: 'verification.task.title' },
  },
  {
    path: 'verification/figures',
    name: 'verification-figures',
    component: () => import('./FiguresPage.vue'),
    meta: {
      roles: ['reviewer', 'ops', 'admin'],
      menu: 'verification.menu.figures',
      group: 'groups.reports',
      icon: 'DataLine',
      title: 'verification.menu.figures',
    },
  },
] satisfies RouteRecordRaw[]
