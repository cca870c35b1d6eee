/**
 * Where an inbox message leads in the H5. notify-svc gives each item a `link` (from its template) and the
 * `template_code` of the fact it tells about, whose body names the order, claim or activity by id. The link wins when it names something we know; else the template's
 * fact does. Routes by name: `order` (privileges' order page), `claim`, `activity`, `points`, and the
 * owner's secretary's next steps: `claim-report` (`/h5/claims/new`), `book` (`/h5/privileges/<code>/book`).
 */
import type { RouteLocationRaw } from 'vue-router'

export interface LinkedMessage {
  template_code: string
  link: string | null
  body: string
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i

/** The H5's page for a subject kind and id. */
function routeFor(kind: string, id: string): RouteLocationRaw | null {
  switch (kind) {
    case 'order':
    case 'orders':
      return { name: 'order', params: { id } }
    case 'claim':
    case 'claims':
      return { name: 'claim', params: { id } }
    case 'activity':
    case 'activities':
      return { name: 'activity', params: { id } }
    default:
      return null
  }
}

/** A link such as `claim:<id>`, `/h5/claims/<id>`, `/orders/<id>` or a same-origin URL of those. */
function fromLink(link: string, origin: string): RouteLocationRaw | null {
  const scheme = /^(order|claim|activity):([\w-]+)$/.exec(link)
  if (scheme) return routeFor(scheme[1]!, scheme[2]!)
  let path = link
  if (/^https?:\/\//.test(link)) {
    const url = new URL(link)
    if (url.origin !== origin) return null // never lead a member off our site from a message
    path = url.pathname
  }
  if (/^(?:\/h5)?\/claims\/new\/?$/.test(path)) return { name: 'claim-report' }
  const booking = /^(?:\/h5)?\/privileges\/([\w-]+)\/book\/?$/.exec(path)
  if (booking) return { name: 'book', params: { code: booking[1]! } }
  const match = /^(?:\/h5)?\/(orders|claims|activities)\/([\w-]+)\/?$/.exec(path)
  if (match) return routeFor(match[1]!, match[2]!)
  if (/^(?:\/h5)?\/points\/?$/.test(path)) return { name: 'points' }
  return null
}

const BY_TEMPLATE: Record<string, string> = {
  order_status: 'order',
  claim_step: 'claim',
  activity_signed_up: 'activity',
}

export function deepLink(message: LinkedMessage, origin = globalThis.location?.origin ?? ''): RouteLocationRaw | null {
  if (message.link) {
    const linked = fromLink(message.link.trim(), origin)
    if (linked) return linked
  }
  const kind = BY_TEMPLATE[message.template_code]
  if (kind) {
    const id = UUID.exec(message.body)?.[0]
    return id ? routeFor(kind, id) : null
  }
  if (message.template_code === 'points_credited' || message.template_code === 'points_expiring') {
    return { name: 'points' }
  }
  return null
}
