/** privilege-svc's payments for ops: the daily reconciliation against WeChat Pay's trade and refund bills. */
import { ApiError, must, type components } from '@cheyou/api'
import { api } from '@/api'

export type ReconciliationRead = components['schemas']['ReconciliationRead']
export type DifferenceRead = components['schemas']['DifferenceRead']

export function usePayments() {
  return {
    /** The days reconciled between `from` and `to` (Asia/Shanghai dates), newest first. */
    reconciliations: (from: string, to: string) =>
      must(api.GET('/api/v1/payments/reconciliations', { params: { query: { from, to } } })),
    /** One day's run with every difference. */
    reconciliation: (billDate: string) =>
      must(
        api.GET('/api/v1/payments/reconciliations/{bill_date}', {
          params: { path: { bill_date: billDate } },
        }),
      ),
    /** The day's last run, or null when it was never reconciled. */
    lastRun: async (billDate: string): Promise<ReconciliationRead | null> => {
      try {
        return await must(
          api.GET('/api/v1/payments/reconciliations/{bill_date}', {
            params: { path: { bill_date: billDate } },
          }),
        )
      } catch (caught) {
        if (caught instanceof ApiError && caught.status === 404) return null
        throw caught
      }
    },
    /** Reconcile the day now (again, if it was: the new run replaces the old one). */
    reconcile: (billDate: string) =>
      must(api.POST('/api/v1/payments/reconciliations', { body: { bill_date: billDate } })),
  }
}
