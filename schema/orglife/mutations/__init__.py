"""Organisational-life mutations, one module per aggregate; each one transaction with audit row and event."""

from __future__ import annotations

import strawberry

from schema.orglife.mutations.members import MemberMutation
from schema.orglife.mutations.records import RecordMutation
from schema.orglife.mutations.transfers import TransferMutation


@strawberry.type
class OrgLifeMutation(MemberMutation, TransferMutation, RecordMutation):
    pass
