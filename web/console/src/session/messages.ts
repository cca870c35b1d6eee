export default {
  'zh-CN': {
    signIn: {
      title: '登录工作台',
      staff: '员工登录',
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
