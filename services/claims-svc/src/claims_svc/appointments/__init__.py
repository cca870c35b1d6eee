"""Injury-mediation appointments (人伤调解预约): slots per site, booking, rescheduling, cancelling."""
