/**
 * The fields a problem names, as `{ field: words }` for the messages under a form's fields: the
 * validation problem's `errors` (`body.vehicles.0.plate` → `plate`) and a domain problem's `field`.
 * The words are the form's own for that field when it has them (`<form>.invalid.<field>`), else the
 * service's message when it is Chinese, else the general "not valid".
 */
import { ApiError } from '@cheyou/api'

type Translate = (key: string) => string
type Exists = (key: string) => boolean

export function fieldName(path: string): string {
  const parts = path.split('.').filter((part) => part && !/^\d+$/.test(part) && part !== 'body')
  return parts[parts.length - 1] ?? path
}

export function fieldErrors(error: unknown, form: string, t: Translate, te: Exists): Record<string, string> {
  if (!(error instanceof ApiError)) return {}
  const named: { field: string; message: string }[] = [...(error.problem.errors ?? [])]
  const single = error.problem.field
  if (typeof single === 'string') named.push({ field: single, message: error.problem.detail ?? '' })
  const found: Record<string, string> = {}
  for (const { field, message } of named) {
    const name = fieldName(field)
    const key = `${form}.invalid.${name}`
    found[name] ??= te(key) ? t(key) : /[^\x20-\x7e]/.test(message) ? message : t('errors.invalid')
  }
  return found
}
