/**
 * The owner's secretary's messages in the inbox (车主秘书): a traffic-violation reminder and a weather alert
 * show their details and what the member can do next, in place, instead of leading away at once.
 *
 * notify-svc's texts (templates `violation_reminder` and `weather_alert`) carry the details in words:
 * "您的车辆闽A12345有新的违章记录：11月20日在福州市五四路违反禁令标志指示，罚款200元，记3分。…" and
 * "台风橙色预警：福州市气象台发布台风橙色预警信号。…"; the item's link is the next step (booking the
 * violation-handling agency, reporting a claim).
 */
import type { RouteLocationRaw } from 'vue-router'
import { deepLink, type LinkedMessage } from './deepLink'

export type AlertColour = 'red' | 'orange' | 'yellow' | 'blue'

export interface FeedAction {
  /** i18n key of the button. */
  label: string
  to: RouteLocationRaw
}

export interface ViolationDetails {
  kind: 'violation'
  plate: string | null
  fineYuan: number | null
  points: number | null
  actions: FeedAction[]
}

export interface WeatherDetails {
  kind: 'weather'
  /** "台风橙色预警" */
  label: string | null
  colour: AlertColour | null
  actions: FeedAction[]
}

const COLOURS: Record<string, AlertColour> = { 红色: 'red', 橙色: 'orange', 黄色: 'yellow', 蓝色: 'blue' }

export function isFeedMessage(message: { template_code: string }): boolean {
  return message.template_code === 'violation_reminder' || message.template_code === 'weather_alert'
}

export function feedDetails(message: LinkedMessage, origin?: string): ViolationDetails | WeatherDetails | null {
  const linked = deepLink(message, origin)
  if (message.template_code === 'violation_reminder') {
    const plate = /车辆([^\s有]{7,8})有新的违章/.exec(message.body)?.[1] ?? null
    const fine = /罚款(\d+(?:\.\d+)?)元/.exec(message.body)?.[1]
    const points = /记(\d+)分/.exec(message.body)?.[1]
    return {
      kind: 'violation',
      plate,
      fineYuan: fine === undefined ? null : Number(fine),
      points: points === undefined ? null : Number(points),
      actions: [
        { label: 'inbox.feeds.bookAgency', to: linked ?? { name: 'book', params: { code: 'violation_agency' } } },
      ],
    }
  }
  if (message.template_code === 'weather_alert') {
    const match = /^(.{0,12}?(红色|橙色|黄色|蓝色)预警)/.exec(message.body)
    return {
      kind: 'weather',
      label: match?.[1] ?? null,
      colour: match ? (COLOURS[match[2]!] ?? null) : null,
      actions: [
        { label: 'inbox.feeds.reportClaim', to: linked ?? { name: 'claim-report' } },
        { label: 'inbox.feeds.rescue', to: { name: 'book', params: { code: 'rescue_towing' } } },
      ],
    }
  }
  return null
}
