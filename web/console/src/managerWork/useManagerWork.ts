/** Managers' generated work as ops run it: generate the tasks now (the job does it every hour anyway). */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'

export type TaskRun = components['schemas']['TaskRun']

export function useManagerWork() {
  return {
    generate: () => must(api.POST('/api/v1/managers/task-runs')),
  }
}
