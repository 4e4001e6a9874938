"""Partner access (合作系统接入): persisted operations, limits per key, admission of requests."""
