"""Directory: tenants (alliances), member organisations, accounts, roles, API keys, audit."""
