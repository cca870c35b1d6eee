"""Claim documents (资料上传): the checklist by claim type, uploads, and the hand-over to adjudication."""
