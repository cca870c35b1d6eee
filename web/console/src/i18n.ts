/**
 * zh-CN first, en second. Each feature keeps its strings beside its pages in `<feature>/messages.ts`
 * (`export default { 'zh-CN': {...}, en: {...} }`, under a key named after the feature); they are merged here.
 */
import { createI18n } from 'vue-i18n'

type Strings = { [key: string]: string | Strings }
type Messages = Record<string, Strings>
const modules = import.meta.glob<{ default: Messages }>('./*/messages.ts', { eager: true })

const messages: Messages = { 'zh-CN': {}, en: {} }
for (const module of Object.values(modules)) {
  for (const [locale, strings] of Object.entries(module.default)) {
    messages[locale] = { ...messages[locale], ...strings }
  }
}

function preferred(): 'zh-CN' | 'en' {
  const saved = localStorage.getItem('cheyou.locale')
  return saved === 'en' ? 'en' : 'zh-CN'
}

export const i18n = createI18n({ legacy: false, locale: preferred(), fallbackLocale: 'zh-CN', messages })
