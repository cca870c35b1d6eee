import { ApiError } from '@cheyou/api'
import { describe, expect, it } from 'vitest'
import { fieldErrors, fieldName } from './fieldErrors'

const words: Record<string, string> = { 'join.invalid.plate': '车牌号格式不正确', 'errors.invalid': '填写有误' }
const t = (key: string) => words[key] ?? key
const te = (key: string) => key in words

describe('fieldErrors', () => {
  it('puts a validation error under its field, in the form’s words', () => {
    const error = new ApiError(422, {
      status: 422,
      errors: [
        { field: 'body.vehicles.0.plate', message: 'not a plate' },
        { field: 'body.name', message: 'too short' },
      ],
    })
    expect(fieldErrors(error, 'join', t, te)).toEqual({ plate: '车牌号格式不正确', name: '填写有误' })
  })
  it('names the field of a domain problem and keeps a Chinese message', () => {
    const error = new ApiError(409, { status: 409, field: 'id_number', detail: '该身份证号已是会员' })
    expect(fieldErrors(error, 'join', t, te)).toEqual({ id_number: '该身份证号已是会员' })
  })
  it('is empty for anything else', () => {
    expect(fieldErrors(new Error('x'), 'join', t, te)).toEqual({})
    expect(fieldName('appointment_at')).toBe('appointment_at')
  })
})
