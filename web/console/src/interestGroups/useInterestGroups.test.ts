import { describe, expect, it } from 'vitest'
import { qrProblem } from './useInterestGroups'

describe('qrProblem', () => {
  it('takes a PNG or JPEG up to 512 KiB', () => {
    expect(qrProblem(new File([new Uint8Array(1000)], 'qr.png', { type: 'image/png' }))).toBeNull()
    expect(qrProblem(new File([new Uint8Array(1000)], 'qr.jpg', { type: 'image/jpeg' }))).toBeNull()
  })
  it('names what is wrong', () => {
    expect(qrProblem(null)).toBe('interestGroups.errors.file')
    expect(qrProblem(new File(['x'], 'qr.gif', { type: 'image/gif' }))).toBe('interestGroups.errors.type')
    expect(qrProblem(new File([new Uint8Array(600 * 1024)], 'qr.png', { type: 'image/png' }))).toBe(
      'interestGroups.errors.size',
    )
  })
})
