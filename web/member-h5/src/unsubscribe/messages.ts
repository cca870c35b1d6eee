export default {
  'zh-CN': {
    unsubscribe: {
      title: '退订入会邀请',
      question: '确定不再接收车友俱乐部的短信吗？',
      what: '退订后，我们不会再给这个手机号发送入会邀请和提醒，也不会再发送营销短信。',
      still: '登录验证码、理赔和服务进度等您本人办理业务的短信不受影响。',
      confirm: '确认退订',
      doneTitle: '已退订',
      done: '您不会再收到车友俱乐部的入会邀请和营销短信。',
      changeMind: '如果以后想入会，随时可以自行申请。',
      join: '了解并申请入会',
      malformedTitle: '退订链接不完整',
      malformed: '这个链接缺少退订凭证，可能在复制时被截断了。请直接点开短信里的完整链接。',
      unknownTitle: '退订链接无效',
      unknown: '我们找不到与这个链接对应的邀请，可能链接有误或已经失效，因此没有做任何更改。',
      replyTd: '您也可以直接回复短信“TD”退订。',
    },
    problems: {
      'unknown-invitation': '这个退订链接无效或已失效',
    },
  },
  en: {
    unsubscribe: {
      title: 'Unsubscribe from invitations',
      question: 'Stop texts from Cheyou Club?',
      what: 'We will send this phone no more invitations, reminders or marketing texts.',
      still: 'Sign-in codes and texts about your own claims and services are not affected.',
      confirm: 'Unsubscribe',
      doneTitle: 'Unsubscribed',
      done: 'You will get no more invitations or marketing texts from Cheyou Club.',
      changeMind: 'If you would like to join later, you can apply yourself at any time.',
      join: 'About joining',
      malformedTitle: 'The link is incomplete',
      malformed: 'This link lacks its unsubscribe key, perhaps cut off when copied. Open the full link in the text.',
      unknownTitle: 'The link is not valid',
      unknown: 'No invitation matches this link (mistyped or expired), so nothing was changed.',
      replyTd: 'You can also reply "TD" to the text to unsubscribe.',
    },
    problems: {
      'unknown-invitation': 'This unsubscribe link is not valid or has expired',
    },
  },
}
