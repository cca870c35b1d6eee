"""Invitation outreach (邀请名单): the invitation SMS / WeChat message to an invitee of an imported list, its
reminders after 3 and 10 days, and opt-outs (a reply TD, the unsubscribe link) honoured everywhere."""
