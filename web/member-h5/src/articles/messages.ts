export default {
  'zh-CN': {
    articles: {
      title: '保险知识',
      all: '全部',
      empty: '暂无文章',
      more: '加载更多',
      category: {
        claims_guide: '理赔指南',
        renewal: '续保',
        safe_driving: '安全驾驶',
        policy_basics: '保单常识',
        other: '其他',
      },
    },
  },
  en: {
    articles: {
      title: 'Insurance tips',
      all: 'All',
      empty: 'No articles yet',
      more: 'Load more',
      category: {
        claims_guide: 'Claims guide',
        renewal: 'Renewal',
        safe_driving: 'Safe driving',
        policy_basics: 'Policy basics',
        other: 'Other',
      },
    },
  },
}
