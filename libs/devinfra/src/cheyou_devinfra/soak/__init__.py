"""The reliability soak (issue 19): a seeded mixed workload through the gateway while a seeded schedule
of faults is injected, then every invariant checked over what was acknowledged. See ``README.md``."""
