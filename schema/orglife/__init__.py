"""GraphQL of organisational life (组织生活)."""
