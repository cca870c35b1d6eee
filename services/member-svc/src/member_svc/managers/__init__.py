"""Customer managers (员工助手): profiles, invite codes, assignments, visits, plan, KPIs, targets."""
