/** member-svc's invitation-list import: a CSV (name, id_number, phone, region_code, plate, vin, manager_id)
 * in, a per-row report out (created, exists, invalid with the fields that are wrong). */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'

export type ImportRead = components['schemas']['ImportRead']
export const COLUMNS = ['name', 'id_number', 'phone', 'region_code', 'plate', 'vin', 'manager_id'] as const
export const MAX_BYTES = 10 * 1024 * 1024

export function useInvitations() {
  return {
    upload: (csv: string, filename: string) =>
      must(
        api.POST('/api/v1/members/imports', {
          params: { query: { filename, format: 'json' } },
          body: csv,
          bodySerializer: (body) => body,
          headers: { 'Content-Type': 'text/csv; charset=utf-8' },
        }),
      ) as Promise<ImportRead>,
  }
}

/** The header row's problems before uploading: the required columns that are missing. */
export function missingColumns(csv: string): string[] {
  const header = (csv.replace(/^\ufeff/, '').split(/\r?\n/, 1)[0] ?? '').split(',').map((c) => c.trim())
  return ['name', 'id_number', 'phone'].filter((c) => !header.includes(c))
}
