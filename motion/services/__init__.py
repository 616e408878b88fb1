"""Domain operations. They add and flush; the caller (view, CLI, job) commits once."""
