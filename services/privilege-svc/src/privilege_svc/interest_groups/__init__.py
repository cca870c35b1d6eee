"""Interest groups: WeChat groups for members who share an interest (self-driving, fishing, parenting...)."""
