export default {
  'zh-CN': {
    outreach: {
      menu: '邀请名单转化',
      title: '邀请名单转化报表',
      about:
        '导入的邀请名单中有授权依据的客户会收到短信（已关注公众号的还会收到微信消息）和 3 天、10 天后的提醒；这里统计每份名单、每位客户经理邀请的转化。',
      by: '统计口径',
      byList: '按名单',
      byManager: '按客户经理',
      list: '名单',
      manager: '客户经理',
      noManager: '未指定客户经理',
      importedAt: '导入于 {at}',
      people: '人数',
      stages: { invited: '已邀请', opened: '打开链接', applied: '已申请', verified: '已入会', opted_out: '已退订' },
      conversion: '转化率',
      chart: '各名单或客户经理的邀请、打开、申请、入会、退订人数和转化率',
      empty: '这段时间没有发出邀请',
      rule: '已邀请 = 有授权依据、已发出邀请的人数；已入会 = 现在已通过审核的会员；转化率 = 已入会 ÷ 已邀请。退订（回复 TD 或点退订链接）的人不再收到邀请和营销短信。',
    },
  },
  en: {
    outreach: {
      menu: 'Invitation conversion',
      title: 'Invitation list conversion',
      about:
        'Invitees of imported lists with a consent basis get an SMS (and a WeChat message where they follow us) and reminders after 3 and 10 days; here is how each list and each manager converts.',
      by: 'Grouped',
      byList: 'By list',
      byManager: 'By manager',
      list: 'List',
      manager: 'Customer manager',
      noManager: 'No manager named',
      importedAt: 'imported {at}',
      people: 'People',
      stages: { invited: 'Invited', opened: 'Opened', applied: 'Applied', verified: 'Joined', opted_out: 'Opted out' },
      conversion: 'Conversion',
      chart: 'Invited, opened, applied, joined and opted out, and the conversion, per list or manager',
      empty: 'No invitation sent in this period',
      rule: 'Invited = invitations sent (with a consent basis); joined = verified members now; conversion = joined ÷ invited. Whoever opted out (TD reply or the unsubscribe link) gets no more invitations or marketing texts.',
    },
  },
}
