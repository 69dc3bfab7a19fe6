"""Commands of the architecture engine (ask, check, schema, estimate)."""
