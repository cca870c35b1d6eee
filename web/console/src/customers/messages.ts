export default {
  'zh-CN': {
    customers: {
      menu: '我的客户',
      search: '按姓名、手机尾号、车牌或保单号查找',
      allTiers: '全部等级',
      tier: '等级',
      count: '共 {n} 位（全部 {total} 位）',
      none: '没有符合条件的客户',
      phone: '手机',
      vehicles: '车辆',
      policies: '保单',
      renewal: '最近续保日',
      lastVisit: '上次拜访',
    },
  },
  en: {
    customers: {
      menu: 'My customers',
      search: 'Find by name, phone digits, plate or policy no.',
      allTiers: 'All tiers',
      tier: 'Tier',
      count: '{n} shown of {total}',
      none: 'No customer matches',
      phone: 'Phone',
      vehicles: 'Vehicles',
      policies: 'Policies',
      renewal: 'Next renewal',
      lastVisit: 'Last visit',
    },
  },
}
