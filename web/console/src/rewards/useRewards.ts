/** privilege-svc's points mall for ops: rewards, flash sales, redemptions and their delivery. */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'
import type { RewardBody } from './rewardForm'

export type RewardRead = components['schemas']['RewardRead']
export type RedemptionRead = components['schemas']['RedemptionRead']
export type RedemptionUpdate = components['schemas']['RedemptionUpdate']

export function useRewards() {
  return {
    rewards: (cursor?: string) => must(api.GET('/api/v1/rewards', { params: { query: { cursor, limit: 20 } } })),
    flashSales: (cursor?: string) => must(api.GET('/api/v1/flash-sales', { params: { query: { cursor, limit: 20 } } })),
    create: (body: RewardBody) => must(api.POST('/api/v1/rewards', { body })),
    createFlashSale: (body: RewardBody & { starts_at: string }) => must(api.POST('/api/v1/flash-sales', { body })),
    redemptions: (rewardId: string | null, cursor?: string) =>
      must(
        api.GET('/api/v1/rewards/redemptions', {
          params: { query: { reward_id: rewardId, cursor, limit: 20 } },
        }),
      ),
    update: (id: string, body: RedemptionUpdate) =>
      must(
        api.PATCH('/api/v1/rewards/redemptions/{redemption_id}', {
          params: { path: { redemption_id: id } },
          body,
        }),
      ),
  }
}
