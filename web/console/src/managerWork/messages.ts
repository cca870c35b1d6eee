export default {
  'zh-CN': {
    managerWork: {
      menu: '客户经理任务',
      title: '客户经理任务生成',
      about:
        '系统每小时根据保单、等级和拜访记录为客户经理生成任务，每项事实只生成一次；需要时可以立即生成。客户经理在“我的任务”里看到并通过记录拜访完成。',
      kind: '任务',
      from: '生成规则',
      added: '本次新增',
      rules: {
        renewal_due: '有效保单 30 天内到期且尚未续保；到期前 7 天为完成期限，7 天内到期为高优先',
        winback: '保单到期 15–90 天仍未续保，且该车没有同险种的有效保单；星级客户为高优先',
        tier_downgrade_warning: '星级客户已排定降级，降级前 14 天提醒（高优先）',
        star_visit_overdue: '星级客户落后于年度拜访进度（每年至少 3 次，第 k 次应在年初后 k×121 天内）',
      },
      events:
        '理赔结案后回访、活动签到后跟进两类任务在事件发生时立即生成；客户续保后，未完成的续保、竞回任务自动关闭。',
      generate: '立即生成',
      confirm: '按当前的保单、等级和拜访记录立即生成客户经理任务？已有的任务不会重复生成。',
      done: '已生成，新增 {n} 项任务',
      result: '{on} 新增 {n} 项任务',
    },
  },
  en: {
    managerWork: {
      menu: "Managers' tasks",
      title: "Generate managers' tasks",
      about:
        "Every hour managers' tasks are generated from policies, tiers and visits, once per fact; generate them now when needed. Managers see them in My tasks and close them by recording the visit.",
      kind: 'Task',
      from: 'Generated when',
      added: 'Added now',
      rules: {
        renewal_due:
          'An active policy ends within 30 days, not renewed; due 7 days before the end, high priority within a week',
        winback:
          'A policy ended 15–90 days ago, not renewed, no active policy of the line for the car; high priority for star customers',
        tier_downgrade_warning: 'A star customer has a downgrade scheduled; 14 days before it (high priority)',
        star_visit_overdue: 'A star customer is behind the visit plan (3 a year, the k-th within k×121 days)',
      },
      events:
        'Post-claim callbacks and activity follow-ups are made when the claim settles or the member checks in; a renewal closes the open renewal and win-back tasks.',
      generate: 'Generate now',
      confirm:
        "Generate managers' tasks now from today's policies, tiers and visits? Tasks that exist are not made again.",
      done: 'Done: {n} tasks added',
      result: '{n} tasks added on {on}',
    },
  },
}
