/**
 * An error in words a member understands. A problem's own translated text (`problems.<slug>` in any
 * feature's messages) wins; then the service's `detail` when the locale is the service's language;
 * then the words for the kind of failure.
 */
import { ApiError } from './index'

type Translate = (key: string, named?: Record<string, unknown>) => string
type Exists = (key: string) => boolean

export function describeError(error: unknown, t: Translate, te: Exists): string {
  if (!(error instanceof ApiError)) return t('errors.server')
  const slugKey = `problems.${error.slug}`
  if (error.slug && te(slugKey)) return t(slugKey)
  if (error.kind === 'rate-limited') {
    return error.retryAfter ? t('errors.rate-limited', { seconds: error.retryAfter }) : t('errors.rate-limited-soon')
  }
  if (error.kind === 'invalid' && error.problem.detail && !/^[\x20-\x7e]*$/.test(error.problem.detail)) {
    return error.problem.detail // the service already answered in Chinese
  }
  return t(`errors.${error.kind}`)
}
