"""Extension requests (申请延期): a unit asks for a later deadline on its returned 反馈表
(``duban collect``), the office grants or refuses it (``duban extend ID --grant | --deny``).

A request is an ``extension_requested`` event; it is *pending* until a later event of the
same unit on the same item answers it — ``extension_granted``, ``extension_denied``, a plain
``extended`` by the office, 办结 or 撤销, or a newer request — and while that unit's
assignment is still at work. Nothing is stored beside the log: the pending list is a query
over it, and granting moves the deadline exactly as ``duban extend`` does (:mod:`lifecycle`).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import InvalidInput, InvalidTransition
from .models import EventKind, Unit

if TYPE_CHECKING:
    from .ledger import Ledger
    from .models import ItemView

_ANSWERS = ("extension_requested", "extension_granted", "extension_denied", "extended", "closed", "cancelled")


@dataclass(frozen=True)
class Request:
    item_id: int
    unit_id: int
    unit: str
    to: dt.date
    reason: str
    requested_on: dt.date

    def record(self) -> dict:
        return {"id": self.item_id, "unit": self.unit, "to": self.to.isoformat(), "reason": self.reason,
                "requested_on": self.requested_on.isoformat()}


def pending(ledger: "Ledger", item_id: int | None = None) -> list[Request]:
    """Pending requests, by item then unit (of one item when ``item_id`` is given)."""
    marks = ", ".join(f"'{k}'" for k in _ANSWERS)
    where = "AND e.item_id = ?" if item_id is not None else ""
    rows = ledger.db.execute(
        f"""SELECT e.item_id, e.unit_id, u.name, e.at, e.data FROM events e
                JOIN units u ON u.id = e.unit_id
                JOIN assignments a ON a.item_id = e.item_id AND a.unit_id = e.unit_id
            WHERE e.kind = 'extension_requested' {where}
              AND a.status IN ('open', 'paused')
              AND NOT EXISTS (SELECT 1 FROM events f WHERE f.item_id = e.item_id AND f.unit_id = e.unit_id
                              AND f.id > e.id AND f.kind IN ({marks}))
            ORDER BY e.item_id, u.name""",
        [item_id] if item_id is not None else [],
    ).fetchall()
    found = []
    for item, unit_id, unit, at, data in rows:
        d = json.loads(data or "{}")
        found.append(Request(item, unit_id, unit, dt.date.fromisoformat(d["to"]), d.get("reason") or "",
                             dt.date.fromisoformat(at)))
    return found


def _chosen(ledger: "Ledger", item_id: int, unit: str | None) -> list[Request]:
    ledger._load(item_id)  # an unknown id is NotFound, as for every command
    found = pending(ledger, item_id)
    if unit is not None:
        u = ledger.unit(unit)
        found = [r for r in found if r.unit_id == u.id]
        if not found:
            raise InvalidTransition(f"事项 #{item_id} 没有“{u.name}”待批的延期申请")
    if not found:
        raise InvalidTransition(f"事项 #{item_id} 没有待批的延期申请（查看全部：duban requests）")
    return found


def grant(ledger: "Ledger", item_id: int, unit: str | None = None) -> "ItemView":
    """Grant the pending request(s): each unit's deadline moves to the date it asked for, with its reason."""
    with ledger._write():
        chosen = _chosen(ledger, item_id, unit)
        item = ledger._load(item_id)
        ledger._check_date_order(item_id)
        for r in chosen:
            a = next(x for x in item.assignments if x.unit_id == r.unit_id)
            basis = ledger.resolve_deadline(r.to, None).basis
            old = a.due.isoformat() if a.due else "无"
            item = ledger._apply(item, EventKind.EXTENSION_GRANTED,
                                 f"同意“{r.unit}”延期：{old} → {r.to.isoformat()}，理由：{r.reason}"
                                 f"（{r.requested_on.isoformat()} 申请）",
                                 Unit(id=r.unit_id, name=r.unit),
                                 {"from": old if a.due else None, "to": r.to.isoformat(), "reason": r.reason,
                                  "requested_on": r.requested_on.isoformat(), "due_basis": basis})
    return ledger.item(item_id)


def deny(ledger: "Ledger", item_id: int, reason: str, unit: str | None = None) -> "ItemView":
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请写明不同意延期的理由（--deny 理由）")
    with ledger._write():
        chosen = _chosen(ledger, item_id, unit)
        item = ledger._load(item_id)
        ledger._check_date_order(item_id)
        for r in chosen:
            item = ledger._apply(item, EventKind.EXTENSION_DENIED,
                                 f"不同意“{r.unit}”延期至 {r.to.isoformat()}：{reason}",
                                 Unit(id=r.unit_id, name=r.unit),
                                 {"to": r.to.isoformat(), "reason": reason, "request_reason": r.reason,
                                  "requested_on": r.requested_on.isoformat()})
    return ledger.item(item_id)
