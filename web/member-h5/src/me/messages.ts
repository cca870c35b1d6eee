export default {
  'zh-CN': {
    me: { title: '我的', signOut: '退出登录' },
  },
  en: {
    me: { title: 'Me', signOut: 'Sign out' },
  },
}
