"""Organisational life (组织生活): members, transfers, 三会一课 records, compliance."""
