"""Mutations of transfers (组织关系转接): request, approve out, accept, reject, cancel."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.orglife.inputs import (
    AcceptTransferInput,
    ApproveTransferOutInput,
    CancelTransferInput,
    RejectTransferInput,
    RequestTransferInput,
)
from schema.orglife.types import Transfer
from schema.pagination import parse_id
from schema.permissions import requires
from services.orglife import transfers


@strawberry.type
class TransferPayload:
    transfer: Transfer


@strawberry.type
class TransferMutation:
    @strawberry.mutation(
        description="Start a transfer to a branch here or in another district (发起转接).",
        extensions=requires("member_transfer", "write"),
    )
    async def request_transfer(self, info: Info, input: RequestTransferInput) -> TransferPayload:
        async with info.context.db() as conn:
            found = await transfers.request_transfer(
                conn,
                actor=info.context.principal,
                member_id=parse_id(input.member_id, "memberId"),
                to_tenant=input.to_tenant,
                to_credit_code=input.to_organization_credit_code,
                letter_number=input.letter_number,
                reason=input.reason,
                report_by=input.report_by,
            )
        return TransferPayload(transfer=Transfer.from_model(found))

    @strawberry.mutation(
        description="The sending branch lets the member go (同意转出).",
        extensions=requires("member_transfer", "write"),
    )
    async def approve_transfer_out(self, info: Info, input: ApproveTransferOutInput) -> TransferPayload:
        async with info.context.db() as conn:
            found = await transfers.approve_transfer_out(
                conn, actor=info.context.principal, transfer_id=parse_id(input.id)
            )
        return TransferPayload(transfer=Transfer.from_model(found))

    @strawberry.mutation(
        description="The receiving branch takes the member on from today (接收).",
        extensions=requires("member_transfer", "write"),
    )
    async def accept_transfer(self, info: Info, input: AcceptTransferInput) -> TransferPayload:
        async with info.context.db() as conn:
            found = await transfers.accept_transfer(
                conn, actor=info.context.principal, transfer_id=parse_id(input.id)
            )
        return TransferPayload(transfer=Transfer.from_model(found))

    @strawberry.mutation(
        description="Refuse a transfer with a reason, at either side's step (退回).",
        extensions=requires("member_transfer", "write"),
    )
    async def reject_transfer(self, info: Info, input: RejectTransferInput) -> TransferPayload:
        async with info.context.db() as conn:
            found = await transfers.reject_transfer(
                conn, actor=info.context.principal, transfer_id=parse_id(input.id), reason=input.reason
            )
        return TransferPayload(transfer=Transfer.from_model(found))

    @strawberry.mutation(
        description="The sending branch withdraws a transfer not yet accepted (撤回).",
        extensions=requires("member_transfer", "write"),
    )
    async def cancel_transfer(self, info: Info, input: CancelTransferInput) -> TransferPayload:
        async with info.context.db() as conn:
            found = await transfers.cancel_transfer(
                conn, actor=info.context.principal, transfer_id=parse_id(input.id)
            )
        return TransferPayload(transfer=Transfer.from_model(found))
