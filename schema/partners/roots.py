"""Partner access's GraphQL root types and its schema extension, composed by the domain list."""

from __future__ import annotations

from schema.partners.admission import PartnerAdmission
from schema.partners.mutations import PartnerMutation as Mutation
from schema.partners.queries import PartnerQuery as Query

# Schema extensions a domain brings: run on every operation, before the platform's own.
EXTENSIONS = (PartnerAdmission,)

__all__ = ["EXTENSIONS", "Mutation", "Query"]
