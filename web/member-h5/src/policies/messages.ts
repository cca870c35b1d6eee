export default {
  'zh-CN': {
    policies: {
      title: '保单管理',
      empty: '还没有保单记录。投保后保单会自动出现在这里。',
      number: '保单号',
      plate: '车牌',
      period: '保险期间',
      premium: '保费',
      line: { commercial: '商业车险', compulsory: '交强险', non_motor: '非车险' },
      renewal: {
        renewed: '已续保',
        due: '待续保',
        overdue: '已到期未续保',
        ended: '已终止',
        cancelled: '已退保',
        'in-force': '保障中',
      },
      dueIn: '{days} 天后到期，请及时联系客户经理续保，保障不中断、会员等级不降级。',
      overdue: '保单已到期，请尽快续保。',
    },
  },
  en: {
    policies: {
      title: 'My policies',
      empty: 'No policies yet: they appear here once issued.',
      number: 'Policy no.',
      plate: 'Plate',
      period: 'Cover',
      premium: 'Premium',
      line: { commercial: 'Commercial motor', compulsory: 'Compulsory (CTPL)', non_motor: 'Non-motor' },
      renewal: {
        renewed: 'Renewed',
        due: 'Renewal due',
        overdue: 'Ended, not renewed',
        ended: 'Ended',
        cancelled: 'Cancelled',
        'in-force': 'In force',
      },
      dueIn: 'Ends in {days} days: renew with your manager to keep cover and tier.',
      overdue: 'The policy has ended: renew soon.',
    },
  },
}
