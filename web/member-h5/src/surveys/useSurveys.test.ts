import { describe, expect, it } from 'vitest'
import { itemsOf, type Question } from './useSurveys'

const questions: Question[] = [
  {
    code: 'services',
    text: '?',
    kind: 'multiple',
    required: true,
    options: [
      { code: 'wash', label: '洗车' },
      { code: 'tour', label: '自驾' },
    ],
  },
  {
    code: 'weekend',
    text: '?',
    kind: 'single',
    required: true,
    options: [
      { code: 'kids', label: '孩子' },
      { code: 'photo', label: '摄影' },
    ],
  },
  { code: 'wish', text: '?', kind: 'text', required: false, options: [] },
]

describe('itemsOf', () => {
  it('sends what was picked and names the required questions left', () => {
    const { items, missing } = itemsOf(questions, { services: { options: ['wash', 'tour'], text: '' } })
    expect(items).toEqual([{ question: 'services', options: ['wash', 'tour'] }])
    expect(missing).toEqual(['weekend'])
  })
  it('leaves out an empty optional text and trims a written one', () => {
    const draft = {
      services: { options: ['wash'], text: '' },
      weekend: { options: ['kids'], text: '' },
      wish: { options: [], text: '  多办亲子活动 ' },
    }
    expect(itemsOf(questions, draft).items).toContainEqual({ question: 'wish', text: '多办亲子活动' })
    expect(itemsOf(questions, { ...draft, wish: { options: [], text: ' ' } }).items).toHaveLength(2)
  })
})
