"""Club activities (会员活动): capacity, waitlists, QR check-in, attendance points and participation."""
