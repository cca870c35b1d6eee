/**
 * zh-CN first, en second. Each feature keeps its strings beside its pages in `<feature>/messages.ts`
 * (`export default { 'zh-CN': {...}, en: {...} }`, under a key named after the feature); they are merged here.
 */
import { errorMessages } from '@cheyou/api'
import { createI18n } from 'vue-i18n'

type Strings = { [key: string]: string | Strings }
type Messages = Record<string, Strings>
const modules = import.meta.glob<{ default: Messages }>('./*/messages.ts', { eager: true })

/** Features may share a top-level key (`problems`): merge objects key by key, so none hides another's. */
function merge(into: Strings, from: Strings): Strings {
  for (const [key, value] of Object.entries(from)) {
    const existing = into[key]
    into[key] = typeof value === 'object' && typeof existing === 'object' ? merge({ ...existing }, value) : value
  }
  return into
}

const messages: Messages = { 'zh-CN': {}, en: {} }
for (const module of [{ default: errorMessages as Messages }, ...Object.values(modules)]) {
  for (const [locale, strings] of Object.entries(module.default)) {
    messages[locale] = merge(messages[locale] ?? {}, strings)
  }
}

function preferred(): 'zh-CN' | 'en' {
  const saved = localStorage.getItem('cheyou.locale')
  return saved === 'en' ? 'en' : 'zh-CN'
}

export const i18n = createI18n({ legacy: false, locale: preferred(), fallbackLocale: 'zh-CN', messages })

/** Switch the console's language and remember it on this computer. */
export function setLocale(locale: 'zh-CN' | 'en'): void {
  i18n.global.locale.value = locale
  localStorage.setItem('cheyou.locale', locale)
}
