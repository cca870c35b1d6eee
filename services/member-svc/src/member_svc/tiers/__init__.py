"""The tier engine: contribution from the policy projection, rules as versioned data, tier history."""
