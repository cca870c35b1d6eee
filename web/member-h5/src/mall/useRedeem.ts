/** Redeeming from the mall or a flash sale: confirm, one Idempotency-Key per press (kept for a retry), the result page. */
import { describeError } from '@cheyou/api'
import { showConfirmDialog, showFailToast, showSuccessToast } from 'vant'
import { ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { useRouter } from 'vue-router'
import { formatFen } from '@/format/money'
import { RedeemAttempt, redeem, type Reward } from './useMall'

export function useRedeem(afterRefusal: () => Promise<void>) {
  const { t, te } = useI18n()
  const router = useRouter()
  const attempts = new Map<string, RedeemAttempt>()
  const busy = ref<string | null>(null)
  /** Rewards whose last press got no settled answer: the button says "try again" and reuses its key. */
  const unsettled = ref<Set<string>>(new Set())

  async function press(reward: Reward, price: number, balance: number | null, deliveryAddress?: string) {
    if (busy.value) return
    if (balance !== null && balance < price) {
      showFailToast(t('mall.notEnough', { points: price - balance }))
      return
    }
    const attempt = attempts.get(reward.id) ?? new RedeemAttempt()
    attempts.set(reward.id, attempt)
    if (!attempt.pending) {
      try {
        await showConfirmDialog({
          title: t('mall.confirmTitle'),
          message: reward.cash_price_fen
            ? t('mall.confirmMessageCash', { points: price, cash: formatFen(reward.cash_price_fen), name: reward.name })
            : t('mall.confirmMessage', { points: price, name: reward.name }),
          confirmButtonText: t('common.confirm'),
          cancelButtonText: t('common.cancel'),
        })
      } catch {
        return // changed their mind
      }
    }
    busy.value = reward.id
    try {
      const redemption = await attempt.run((key) => redeem(reward, key, deliveryAddress))
      unsettled.value.delete(reward.id)
      if (redemption.status !== 'awaiting_payment') showSuccessToast(t('mall.redeemed'))
      await router.push({ name: 'redemption', params: { id: redemption.id }, query: { reward: reward.id } })
    } catch (caught) {
      showFailToast({ message: describeError(caught, t, te), wordBreak: 'break-word' })
      if (attempt.pending) {
        unsettled.value = new Set([...unsettled.value, reward.id]) // "try again" sends the same key
      } else {
        unsettled.value.delete(reward.id)
        await afterRefusal() // sold out, limit, points: show the state the server now has
      }
    } finally {
      busy.value = null
    }
  }

  return { press, busy, unsettled }
}
