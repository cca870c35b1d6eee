/**
 * The words for each kind of failure (`describeError` uses `errors.<kind>`), the same in every app; each
 * app's i18n merges them under its own messages.
 */
export const errorMessages = {
  'zh-CN': {
    errors: {
      network: '网络连接中断，请检查网络后重试',
      unauthorized: '登录已过期，请重新登录',
      forbidden: '您没有权限进行此操作',
      'not-found': '没有找到相关内容',
      conflict: '操作与当前状态冲突，请刷新后重试',
      invalid: '填写的内容有误，请检查后重试',
      'rate-limited': '操作太频繁，请 {seconds} 秒后再试',
      'rate-limited-soon': '操作太频繁，请稍后再试',
      server: '服务暂时不可用，请稍后重试',
      retry: '重试',
    },
  },
  en: {
    errors: {
      network: 'The network is down. Check your connection and try again.',
      unauthorized: 'Your session has expired. Please sign in again.',
      forbidden: 'You are not allowed to do this.',
      'not-found': 'Nothing was found.',
      conflict: 'This conflicts with the current state. Refresh and try again.',
      invalid: 'Something you entered is not valid.',
      'rate-limited': 'Too many attempts. Try again in {seconds} s.',
      'rate-limited-soon': 'Too many attempts. Try again shortly.',
      server: 'The service is unavailable. Please try again later.',
      retry: 'Retry',
    },
  },
}
