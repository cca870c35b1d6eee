export default {
  'zh-CN': {
    signIn: {
      title: '登录',
      phone: '手机号',
      phonePlaceholder: '请输入 11 位手机号',
      phoneInvalid: '请输入正确的 11 位手机号',
      code: '验证码',
      codePlaceholder: '6 位短信验证码',
      codeInvalid: '请输入 6 位数字验证码',
      send: '获取验证码',
      resend: '{seconds} 秒后重发',
      submit: '登录',
      sent: '验证码已发送',
    },
  },
  en: {
    signIn: {
      title: 'Sign in',
      phone: 'Phone',
      phonePlaceholder: '11-digit mobile number',
      phoneInvalid: 'Enter a valid 11-digit mobile number',
      code: 'Code',
      codePlaceholder: '6-digit SMS code',
      codeInvalid: 'Enter the 6-digit code',
      send: 'Send code',
      resend: 'Resend in {seconds} s',
      submit: 'Sign in',
      sent: 'Code sent',
    },
  },
}
