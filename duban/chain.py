"""The tamper-evident event log: every event carries a hash over its content and the hash of
the event before it (a chain, as git chains its commits).

``hash = sha256(previous hash, RS, id US item_id US unit_id US at US kind US detail US data US logged_at)``
over the UTF-8 bytes, as lowercase hex; the first event's previous hash is the empty string;
NULL is written as NUL; numbers as their decimal text.
The ledger keeps the chain's head (number of events, last hash, last id) in ``event_chain``,
so deleting the newest events is noticed too. ``duban check`` recomputes the chain and names
the first event that does not match (an edited detail, data or logged_at, a deleted or
inserted event), and prints the head so that an auditor can compare it with one noted earlier.

This module is the only place that computes the hash: :meth:`duban.ledger.Ledger._append_events`
(every event insert, one or ten thousand), migration ``m008_event_chain`` and ``duban check``.
"""

from __future__ import annotations

from collections.abc import Sequence
from hashlib import sha256 as _sha256

GENESIS = ""
# the events columns the hash covers, in order (then the hash itself is stored in ``hash``)
COLUMNS = ("id", "item_id", "unit_id", "at", "kind", "detail", "data", "logged_at")


def link(previous: str, row: Sequence) -> str:
    """The hash of one event (``row`` in :data:`COLUMNS` order) chained to ``previous``."""
    body = "\x1f".join(["\x00" if v is None else str(v) for v in row])
    return _sha256(f"{previous}\x1e{body}".encode()).hexdigest()


def short(head: str) -> str:
    return head[:16] if head else "（空）"
