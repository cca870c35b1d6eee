"""Verification (会员审核): the reviewers' work queue, phone callbacks, approval and rejection."""
