/**
 * The message-template form: placeholders found in the texts, the channel's required parts and WeChat's
 * 2023 rules checked before sending (as notify-svc's `templates/service.check` and `rendering` do), and the
 * author ≠ approver rule as the page shows it (the API enforces it).
 */
export type Channel = 'wechat' | 'sms' | 'inbox'
export type Category = 'service' | 'reminder' | 'marketing'
export type VariableType = 'string' | 'int' | 'date'

export interface TemplateForm {
  code: string
  channel: Channel
  category: Category
  variables: { name: string; type: VariableType }[]
  title: string
  body: string
  wechatTemplateId: string
  /** "keyword1=车牌 {plate}" one a line. */
  wechatFields: string
  smsTemplateCode: string
  smsParams: string
  link: string
}

export function emptyTemplateForm(): TemplateForm {
  return {
    code: '',
    channel: 'inbox',
    category: 'service',
    variables: [],
    title: '',
    body: '',
    wechatTemplateId: '',
    wechatFields: '',
    smsTemplateCode: '',
    smsParams: '',
    link: '',
  }
}

const PLACEHOLDER = /\{([a-z_][a-z0-9_]*)\}/g

export function placeholders(...texts: string[]): string[] {
  const found = new Set<string>()
  for (const text of texts) for (const match of text.matchAll(PLACEHOLDER)) found.add(match[1]!)
  return [...found]
}

/** "key=value" lines as a map; null when a non-empty line has no key. */
export function keyValues(text: string): Record<string, string> | null {
  const out: Record<string, string> = {}
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    const at = line.indexOf('=')
    const key = at > 0 ? line.slice(0, at).trim() : ''
    if (!/^[A-Za-z][\w.]*$/.test(key)) return null
    out[key] = line.slice(at + 1).trim()
  }
  return out
}

function texts(form: TemplateForm): string[] {
  return [
    form.title,
    form.body,
    ...Object.values(keyValues(form.wechatFields) ?? {}),
    ...Object.values(keyValues(form.smsParams) ?? {}),
  ]
}

/** Error keys (under `templates.errors`) by field, with what to name in the message. */
export function validateTemplate(form: TemplateForm): Record<string, { key: string; names?: string }> {
  const e: Record<string, { key: string; names?: string }> = {}
  if (!/^[a-z][a-z0-9_]*$/.test(form.code) || form.code.length > 64) e.code = { key: 'code' }
  const names = form.variables.map((v) => v.name)
  if (names.some((n) => !/^[a-z_][a-z0-9_]*$/.test(n)) || new Set(names).size !== names.length)
    e.variables = { key: 'variableName' }
  const undeclared = placeholders(...texts(form)).filter((name) => !names.includes(name))
  if (undeclared.length) e.variables = { key: 'undeclared', names: undeclared.join('、') }
  if (form.channel === 'inbox') {
    if (!form.title.trim()) e.title = { key: 'title' }
    if (!form.body.trim()) e.body = { key: 'body' }
  }
  if (form.channel === 'wechat') {
    if (!form.wechatTemplateId.trim()) e.wechatTemplateId = { key: 'wechatTemplateId' }
    const fields = keyValues(form.wechatFields)
    if (fields === null) e.wechatFields = { key: 'keyValues' }
    else if (Object.keys(fields).length === 0) e.wechatFields = { key: 'wechatFieldsNone' }
    else if (Object.keys(fields).length > 5) e.wechatFields = { key: 'wechatFieldsMany' }
    else if (Object.keys(fields).some((k) => k === 'first' || k === 'remark'))
      e.wechatFields = { key: 'wechatFirstRemark' }
    else if (Object.values(fields).some((v) => v.replace(PLACEHOLDER, '').length > 20))
      e.wechatFields = { key: 'wechatFieldLong' }
  }
  if (form.channel === 'sms') {
    if (!form.smsTemplateCode.trim()) e.smsTemplateCode = { key: 'smsTemplateCode' }
    if (keyValues(form.smsParams) === null) e.smsParams = { key: 'keyValues' }
  }
  return e
}

export function templateBody(form: TemplateForm) {
  const wechat = form.channel === 'wechat'
  const sms = form.channel === 'sms'
  return {
    code: form.code,
    channel: form.channel,
    category: form.category,
    variables: Object.fromEntries(form.variables.map((v) => [v.name, v.type])),
    title: form.title.trim(),
    body: form.body.trim(),
    wechat_template_id: wechat ? form.wechatTemplateId.trim() : null,
    wechat_fields: wechat ? (keyValues(form.wechatFields) ?? {}) : {},
    sms_template_code: sms ? form.smsTemplateCode.trim() : null,
    sms_params: sms ? (keyValues(form.smsParams) ?? {}) : {},
    link: form.link.trim() || null,
  }
}

export type Approval = 'approved' | 'own' | 'open'

/** Whether the signed-in person may approve: not what they wrote (author ≠ approver). */
export function approval(
  item: { status: string; created_by: string },
  me: { subject: string; staffId: string | null } | null,
): Approval {
  if (item.status !== 'draft') return 'approved'
  if (me && (item.created_by === me.subject || item.created_by === me.staffId)) return 'own'
  return 'open'
}

/** Sample values typed for a preview, as the service reads them ("int" as a number). */
export function sampleValues(
  variables: Record<string, string>,
  typed: Record<string, string>,
): Record<string, string | number> {
  return Object.fromEntries(
    Object.entries(variables).map(([name, type]) => {
      const value = typed[name] ?? ''
      return [name, type === 'int' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value]
    }),
  )
}
