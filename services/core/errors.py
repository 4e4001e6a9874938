"""Domain errors: small exception classes, mapped once to GraphQL error codes."""

from __future__ import annotations


class DomainError(Exception):
    """An expected failure the client should see, with a stable code."""

    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class BadUserInput(DomainError):
    """The input is invalid; ``field`` names the offending input field."""

    code = "BAD_USER_INPUT"


class NotFound(DomainError):
    """No such row in the caller's tenant (also used to hide other tenants' rows)."""

    code = "NOT_FOUND"


class Conflict(DomainError):
    """The change collides with the current state (duplicate, lost race)."""

    code = "CONFLICT"


class Forbidden(DomainError):
    """The caller is known but may not do this."""

    code = "FORBIDDEN"


class Unauthenticated(DomainError):
    """No valid credentials were presented."""

    code = "UNAUTHENTICATED"


class SubscriberTooSlow(DomainError):
    """A live subscriber fell too far behind; it should subscribe again."""

    code = "SUBSCRIBER_TOO_SLOW"
