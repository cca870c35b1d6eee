import { describe, expect, it } from 'vitest'
import { surveyOf } from './useNeedsSurveys'

describe('surveyOf', () => {
  it('codes questions and options in order and drops empty options', () => {
    const { body, problems } = surveyOf(' 服务征集令 ', '', [
      {
        text: '您需要哪些服务？',
        kind: 'multiple',
        required: true,
        options: [
          { label: '洗车', interests: [], needs: ['car_wash'] },
          { label: ' ', interests: [], needs: [] },
          { label: '自驾游', interests: ['self_drive'], needs: ['self_drive_tours'] },
        ],
      },
      { text: '还有什么想说的？', kind: 'text', required: false, options: [{ label: 'x', interests: [], needs: [] }] },
    ])
    expect(problems).toEqual([])
    expect(body.title).toBe('服务征集令')
    expect(body.questions.map((q) => [q.code, q.options?.map((o) => o.code)])).toEqual([
      ['q1', ['o1', 'o2']],
      ['q2', []],
    ])
  })
  it('names what is missing', () => {
    const { problems } = surveyOf('', '', [{ text: '', kind: 'single', required: true, options: [] }])
    expect(problems).toEqual([
      'needsSurveys.errors.title',
      'needsSurveys.errors.questionText',
      'needsSurveys.errors.options',
    ])
  })
})
