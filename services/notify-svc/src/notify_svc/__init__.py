"""notify-svc.

WeChat, SMS and the in-app inbox; templates and preferences; segmented campaigns; reminders; central
publishing.
"""
