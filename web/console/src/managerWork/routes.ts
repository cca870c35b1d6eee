import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: 'manager-tasks',
    name: 'manager-task-runs',
    component: () => import('./TaskRunPage.vue'),
    meta: {
      roles: ['ops', 'admin'],
      menu: 'managerWork.menu',
      group: 'groups.operations',
      icon: 'Checked',
      title: 'managerWork.title',
    },
  },
] satisfies RouteRecordRaw[]
