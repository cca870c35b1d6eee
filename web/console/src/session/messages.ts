export default {
  'zh-CN': {
    signIn: {
      title: '登录工作台',
      staff: '员工登录',
      merchant: '商户登录',
      expired: '登录已过期，请重新登录，之后将回到刚才的页面',
      locked: '登录失败次数过多，账号已锁定。请 {minutes} 分钟后再试，或联系管理员解锁。',
      usernameInvalid: '用户名只能包含字母、数字、点、下划线和连字符',
      username: '用户名',
      password: '密码',
      usernameRequired: '请输入用户名',
      passwordRequired: '请输入密码',
      submit: '登录',
    },
    problems: {
      'invalid-credentials': '用户名或密码错误',
      'account-locked': '账号已被锁定，请稍后再试或联系管理员解锁',
    },
  },
  en: {
    signIn: {
      title: 'Sign in to the console',
      staff: 'Staff',
      merchant: 'Merchant staff',
      expired: 'Your session has expired. Sign in again to return to the page you were on.',
      locked:
        'Too many failed attempts: the account is locked. Try again in {minutes} min or ask an admin to unlock it.',
      usernameInvalid: 'Letters, digits, dots, underscores and hyphens only',
      username: 'Username',
      password: 'Password',
      usernameRequired: 'Enter your username',
      passwordRequired: 'Enter your password',
      submit: 'Sign in',
    },
    problems: {
      'invalid-credentials': 'Wrong username or password',
      'account-locked': 'The account is locked. Try later or ask an admin to unlock it.',
    },
  },
}
