"""claims-svc.

Online motor claims: one-click report, liability assistant, guided photo survey, documents, injury-
mediation booking, withdrawal.
"""
