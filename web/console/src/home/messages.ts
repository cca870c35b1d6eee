export default {
  'zh-CN': {
    home: {
      hello: '您好，{who}',
      day: {
        admin: '管理员工作台：员工账号与系统设置。',
        ops: '运营工作台：等级与特权、活动与营销、商户管理和月度报表。',
        reviewer: '审核工作台：领取下一份入会申请，电话核实后通过、驳回或退回补正。',
        manager: '客户经理工作台：邀请客户入会、按计划拜访星级客户、完成回访任务、分享统一发布的资讯。',
        surveyor: '查勘工作台：每天 08:00–20:00 在线定损，逐张核对照片后确认损失或要求补拍。',
        merchant: '商户工作台：按时接单、完成服务、核销优惠券。',
      },
    },
  },
  en: {
    home: {
      hello: 'Hello, {who}',
      day: {
        admin: 'Admin desk: staff accounts and system settings.',
        ops: 'Ops desk: tiers and privileges, activities and campaigns, merchants and the monthly report.',
        reviewer: 'Review desk: take the next application, call back, then approve, reject or return it for a fix.',
        manager:
          'Manager desk: invite customers, visit star customers on plan, do your callbacks, share approved news.',
        surveyor: 'Survey desk: 08:00–20:00 every day, check each photo, then confirm the loss or ask for re-shoots.',
        merchant: 'Merchant desk: accept orders in time, complete them, verify coupons.',
      },
    },
  },
}
