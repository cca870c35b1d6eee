/** The verification queue (reviewers): claim the next application, call back, decide, release; figures. */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'

export type Task = components['schemas']['member_svc__verification__schemas__TaskRead']
export type TaskSummary = components['schemas']['TaskSummary']
export type Outcome = components['schemas']['CallbackCreate']['outcome']
export type FixableField = components['schemas']['FixRequest']['fields'][number]
export type Figures = components['schemas']['Figures']
export type Throughput = components['schemas']['ThroughputReport']

export const OUTCOMES: Outcome[] = ['reached', 'unreachable', 'wrong_number', 'data_mismatch']
export const FIXABLE: FixableField[] = ['name', 'id_number', 'phone', 'region_code', 'vehicles']

export function useVerification() {
  return {
    claimNext: () => must(api.POST('/api/v1/applications/claim')),
    get: (taskId: string) => must(api.GET('/api/v1/applications/{task_id}', { params: { path: { task_id: taskId } } })),
    list: (status: string, limit = 50) =>
      must(api.GET('/api/v1/applications', { params: { query: { status, limit } } })),
    callback: (taskId: string, body: components['schemas']['CallbackCreate']) =>
      must(api.POST('/api/v1/applications/{task_id}/callbacks', { params: { path: { task_id: taskId } }, body })),
    approve: (taskId: string) =>
      must(api.POST('/api/v1/applications/{task_id}/approve', { params: { path: { task_id: taskId } } })),
    reject: (taskId: string, reason: string) =>
      must(
        api.POST('/api/v1/applications/{task_id}/reject', { params: { path: { task_id: taskId } }, body: { reason } }),
      ),
    returnForFix: (taskId: string, fields: FixableField[], message: string) =>
      must(
        api.POST('/api/v1/applications/{task_id}/return', {
          params: { path: { task_id: taskId } },
          body: { fields, message },
        }),
      ),
    release: (taskId: string) =>
      must(api.POST('/api/v1/applications/{task_id}/release', { params: { path: { task_id: taskId } } })),
    figures: (from: string, to: string) =>
      must(api.GET('/api/v1/applications/figures', { params: { query: { from, to } } })),
    throughput: (from: string, to: string) =>
      must(api.GET('/api/v1/member-reports/verification', { params: { query: { from, to } } })) as Promise<Throughput>,
  }
}

/** An application may be approved once somebody reached the applicant by phone. */
export function reachedByPhone(task: Pick<Task, 'callbacks'>): boolean {
  return task.callbacks.some((callback) => callback.outcome === 'reached')
}

/** What does not agree with the insurer's record, as message keys (the service's own list is in English). */
export function mismatchKeys(core: Task['core_record'], policies: Task['policies']): string[] {
  const keys: string[] = []
  if (core.id_number_contested) keys.push('verification.mismatch.contested')
  if (!core.id_number_known) keys.push('verification.mismatch.noPolicy')
  if (core.name_matches === false) keys.push('verification.mismatch.name')
  if (core.phone_matches === false) keys.push('verification.mismatch.phone')
  if (policies.length > 0 && !policies.some((policy) => policy.plate_matches_application)) {
    keys.push('verification.mismatch.plate')
  }
  return keys
}
