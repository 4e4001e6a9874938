"""The co-building domain (地企共建 "十联十共")."""
