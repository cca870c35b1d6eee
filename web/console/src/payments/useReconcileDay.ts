/**
 * "Reconcile this day now", shared by the list and a day's page: a day already reconciled is re-run only
 * after ops confirm (the new run replaces the old one); a refusal is kept in words with what the service
 * said (WeChat Pay's own code, when the bill could not be downloaded).
 */
import { ElMessage } from 'element-plus'
import { ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { formatDateTime } from '@/format/dates'
import { tokens } from '@/api'
import { useConfirm } from '@/ops/confirm'
import { useAction } from '@/shell/useRequest'
import { serviceSaid } from './reconciliation'
import { usePayments, type ReconciliationRead } from './usePayments'

export interface Refusal {
  words: string
  said: string
}

export function useReconcileDay() {
  const { t } = useI18n()
  const payments = usePayments()
  const confirm = useConfirm()
  const { busy, run } = useAction()
  const refusal = ref<Refusal | null>(null)

  const who = (runBy: string) => (runBy === tokens.session?.staffId ? t('payments.me', { who: runBy }) : runBy)
  const result = (r: ReconciliationRead) =>
    r.status === 'clean' ? t('payments.statuses.clean') : t('payments.withDifferences', { n: r.differences })
  const refused = (words: string, caught: unknown) => (refusal.value = { words, said: serviceSaid(caught, words) })

  /** The day's new run, or undefined when ops did not confirm or the service refused. */
  async function reconcile(day: string): Promise<ReconciliationRead | undefined> {
    refusal.value = null
    const last = await run(() => payments.lastRun(day), refused)
    if (last === undefined) return undefined
    if (
      last !== null &&
      !(await confirm(
        t('payments.confirmAgain', {
          day,
          at: formatDateTime(last.reconciled_at),
          by: who(last.run_by),
          result: result(last),
        }),
        { danger: false, confirm: t('payments.reconcileAgain') },
      ))
    )
      return undefined
    const done = await run(() => payments.reconcile(day), refused)
    if (done) ElMessage.success(t('payments.done', { day, result: result(done) }))
    return done
  }

  return { busy, refusal, reconcile, who, result }
}
