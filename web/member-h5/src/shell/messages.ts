export default {
  'zh-CN': {
    app: { name: '车友俱乐部' },
    tabs: { me: '我的', privileges: '特权', claims: '理赔', mall: '积分商城', messages: '消息' },
    common: { loading: '加载中…', empty: '暂无内容', back: '返回', submit: '提交', cancel: '取消', confirm: '确定' },
    notFound: { title: '页面不存在', home: '回到首页' },
    tiers: {
      prospective: '准会员',
      ordinary: '普通会员',
      three_star: '三星会员',
      four_star: '四星会员',
      five_star: '五星会员',
    },
  },
  en: {
    app: { name: 'Cheyou Club' },
    tabs: { me: 'Me', privileges: 'Privileges', claims: 'Claims', mall: 'Mall', messages: 'Messages' },
    common: {
      loading: 'Loading…',
      empty: 'Nothing here yet',
      back: 'Back',
      submit: 'Submit',
      cancel: 'Cancel',
      confirm: 'OK',
    },
    notFound: { title: 'Page not found', home: 'Home' },
    tiers: {
      prospective: 'Prospective',
      ordinary: 'Ordinary',
      three_star: 'Three-star',
      four_star: 'Four-star',
      five_star: 'Five-star',
    },
  },
}
