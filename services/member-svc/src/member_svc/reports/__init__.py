"""Reports for ops: members by tier and status, joins by route, verification throughput (JSON or CSV)."""
