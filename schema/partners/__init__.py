"""Partner access in GraphQL (合作系统接入): persisted operations, limits, admission."""
