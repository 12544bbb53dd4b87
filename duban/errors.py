"""Typed domain errors. The CLI turns each into one Chinese line on stderr."""

from __future__ import annotations


class DubanError(Exception):
    """Base of every error a user can cause. ``exit_code`` per CLI.md."""

    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(DubanError):
    """Unknown item, unit or other named thing."""


class InvalidTransition(DubanError):
    """The action is not allowed in the item's current state."""


class InvalidInput(DubanError):
    """A value was understood but rejected (empty reason, deadline too early...)."""


class UsageError(DubanError):
    """A value could not be parsed at all (bad date format, unknown choice)."""

    exit_code = 2


class LedgerError(DubanError):
    """The ledger file cannot be opened or is not a duban ledger."""
