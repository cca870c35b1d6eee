/** member-svc's tier rules: the version in force, the history, publishing a version, re-evaluation runs. */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'
import type { RulesCreate } from './ruleEditor'

export type RulesRead = components['schemas']['RulesRead']
export type RunRead = components['schemas']['RunRead']

export function useTierRules() {
  return {
    current: () => must(api.GET('/api/v1/tier-rules')),
    versions: () => must(api.GET('/api/v1/tier-rules/versions')),
    publish: (body: RulesCreate) => must(api.POST('/api/v1/tier-rules', { body })),
    /** What publishing these rules would do to members' tiers (nothing is written). */
    dryRun: (body: RulesCreate) => must(api.POST('/api/v1/tier-rules/dry-run', { body })),
    runs: (limit = 10) => must(api.GET('/api/v1/tier-rules/evaluations', { params: { query: { limit } } })),
    run: (runId: string) =>
      must(api.GET('/api/v1/tier-rules/evaluations/{run_id}', { params: { path: { run_id: runId } } })),
    startRun: (chunkSize = 5000) =>
      must(api.POST('/api/v1/tier-rules/evaluations', { body: { chunk_size: chunkSize } })),
    resumeRun: (runId: string) =>
      must(api.POST('/api/v1/tier-rules/evaluations/{run_id}/resume', { params: { path: { run_id: runId } } })),
  }
}
