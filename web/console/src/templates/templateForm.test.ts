import { describe, expect, it } from 'vitest'
import {
  approval,
  emptyTemplateForm,
  keyValues,
  placeholders,
  sampleValues,
  templateBody,
  validateTemplate,
} from './templateForm'

describe('the template form', () => {
  it('finds the placeholders the texts use', () => {
    expect(placeholders('您好 {name}，', '车牌 {plate} {name}')).toEqual(['name', 'plate'])
  })
  it('reads key=value lines and refuses a line without a key', () => {
    expect(keyValues('thing1=车牌 {plate}\n\ntime2={at}')).toEqual({ thing1: '车牌 {plate}', time2: '{at}' })
    expect(keyValues('=oops')).toBeNull()
  })
  it('refuses undeclared variables and an inbox template without title or body', () => {
    const form = { ...emptyTemplateForm(), code: 'renewal_notice', body: '{name}，您的保单 {policy} 即将到期' }
    form.variables = [{ name: 'name', type: 'string' }]
    const errors = validateTemplate(form)
    expect(errors.variables).toEqual({ key: 'undeclared', names: 'policy' })
    expect(errors.title).toEqual({ key: 'title' })
    expect(validateTemplate({ ...form, code: 'Bad code' }).code).toEqual({ key: 'code' })
  })
  it('holds a WeChat template to the 2023 rules', () => {
    const form = { ...emptyTemplateForm(), code: 'x', channel: 'wechat' as const, wechatTemplateId: 'T1' }
    expect(validateTemplate({ ...form, wechatFields: '' }).wechatFields?.key).toBe('wechatFieldsNone')
    expect(validateTemplate({ ...form, wechatFields: 'first=您好' }).wechatFields?.key).toBe('wechatFirstRemark')
    expect(
      validateTemplate({ ...form, wechatFields: 'thing1=一二三四五六七八九十一二三四五六七八九十一' }).wechatFields
        ?.key,
    ).toBe('wechatFieldLong')
    expect(validateTemplate({ ...form, wechatFields: 'thing1=已受理' })).toEqual({})
  })
  it('sends only the parts of its channel', () => {
    const form = {
      ...emptyTemplateForm(),
      code: 'x',
      title: ' 标题 ',
      body: '正文',
      wechatTemplateId: 'T1',
      smsParams: 'a=b',
    }
    expect(templateBody(form)).toMatchObject({ title: '标题', wechat_template_id: null, sms_params: {}, link: null })
  })
})

describe('author and approver', () => {
  const me = { subject: 'staff:ops1', staffId: 'ops1' }
  it('does not let the author approve their own draft', () => {
    expect(approval({ status: 'draft', created_by: 'staff:ops1' }, me)).toBe('own')
    expect(approval({ status: 'draft', created_by: 'ops1' }, me)).toBe('own')
    expect(approval({ status: 'draft', created_by: 'staff:admin' }, me)).toBe('open')
    expect(approval({ status: 'approved', created_by: 'staff:ops1' }, me)).toBe('approved')
  })
  it('types sample values as the template declares them', () => {
    expect(sampleValues({ n: 'int', s: 'string' }, { n: ' 3 ', s: '张三' })).toEqual({ n: 3, s: '张三' })
  })
})
