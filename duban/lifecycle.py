"""The life of an item as a pure state machine over events (DOMAIN.md §3).

``apply(item, event)`` returns the item as it stands after the event, or raises
:class:`InvalidTransition` / :class:`InvalidInput` with a Chinese message. The ledger
uses it for every write (so what is stored is exactly what the log implies) and to
replay the log up to any date ("what did the ledger say on 3 March").

States of one assignment (事项 × 单位)::

    open ──close──▶ done ──approve──▶ closed ──reopen──▶ open
     │  ◀──return──┘  (review off: close goes straight to closed)
     ├─pause─▶ paused ─resume─▶ open
     └─cancel (from open / paused / done)─▶ cancelled

An item with no assignment yet is ``pending``; its status is otherwise the roll-up
of its assignments.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

from .errors import InvalidInput, InvalidTransition
from .models import EDITABLE_FIELDS, Assignment, EventKind, Item, ItemClass, Milestone, Role, Source, Status


@dataclass(frozen=True)
class Change:
    """An event as the state machine sees it."""

    kind: EventKind
    at: dt.date
    unit_id: int | None = None
    unit: str | None = None
    data: dict = field(default_factory=dict)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@functools.lru_cache(maxsize=4096)  # an import repeats a few hundred dates ten thousand times
def _day(value: str | None) -> str | None:
    """A date of an event's data, checked, as ISO text (what ``_date`` reads, written back)."""
    return dt.date.fromisoformat(value).isoformat() if value else None


def rollup(item: Item) -> Status:
    """The item's status from its assignments (pending/cancelled items keep theirs)."""
    if item.status is Status.MERGED:
        return Status.MERGED  # went into another item: its units stay as they were left (merged)
    states = {a.status for a in item.assignments}
    if not states:
        return item.status
    for status in (Status.OPEN, Status.PAUSED, Status.DONE):
        if status in states:
            return status
    lead = item.lead
    if Status.CLOSED in states and (lead is None or lead.status is Status.CLOSED):
        return Status.CLOSED  # 销号 when the lead's work was closed (a withdrawn co unit does not matter)
    return Status.CANCELLED


def _need_text(value: str | None, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(f"{what}不能为空")
    return text


def _assignment(item: Item, change: Change) -> Assignment:
    for a in item.assignments:
        if a.unit_id == change.unit_id:
            return a
    raise InvalidInput(f"单位“{change.unit}”不是事项 #{item.id} 的责任单位")


def _require(a: Assignment, allowed: Iterable[Status], action: str, item: Item) -> None:
    if a.status not in allowed:
        raise InvalidTransition(
            f"事项 #{item.id} 在“{a.unit}”处的状态为“{a.status.label}”，不能{action}"
        )


def _check_due(due: dt.date | None, start: dt.date | None, what: str = "办理时限", since: str = "交办日期") -> None:
    if due is not None and start is not None and due < start:
        raise InvalidInput(f"{what} {due.isoformat()} 早于{since} {start.isoformat()}")


def apply(item: Item | None, change: Change) -> Item:
    """Return the item after ``change``; never mutates its argument."""
    if change.kind is EventKind.CREATED:
        if item is not None:
            raise InvalidTransition("事项已存在")
        return _created(change)
    if change.kind is EventKind.IMPORTED:
        if item is not None:
            raise InvalidTransition("事项已存在")
        return _imported(change)
    if item is None:
        raise InvalidTransition("事项尚未立项")
    item = _copy(item)
    handler = _HANDLERS.get(change.kind)
    if handler is not None:
        handler(item, change)
    item.status = rollup(item)
    return item


def replay(changes: Iterable[Change]) -> Item | None:
    item = None
    for change in changes:
        item = apply(item, change)
    return item


# -- handlers: each checks the transition and mutates the (copied) item -------------


def _copy(item: Item) -> Item:
    """A copy a handler may change: the item and each of its assignments and milestones.

    (Their fields are immutable values, so this equals a deep copy at a fraction of its cost;
    replaying a whole ledger in ``duban check`` spent most of its time in ``deepcopy``.)
    """
    new = copy.copy(item)
    new.assignments = [copy.copy(a) for a in item.assignments]
    new.milestones = [copy.copy(m) for m in item.milestones]
    return new


def _new_item(d: dict) -> tuple:
    """A new item's own fields from its event's data (`created`, `imported`), checked, as stored:
    title, source, ref, leader, class, content, standard, due, within, preset, parent."""
    return (_need_text(d.get("title"), "事项名称"), Source.of(d["source"]).code, d.get("ref"), d.get("leader"),
            ItemClass.of(d.get("class", ItemClass.ROUTINE.code)).code, d.get("content"), d.get("standard"),
            _day(d.get("due")), d.get("within"), d.get("preset"), d.get("parent"))


def _created(change: Change) -> Item:
    title, source, ref, leader, klass, content, standard, due, within, preset, parent = _new_item(change.data)
    return Item(id=change.data.get("id", 0), title=title, source=Source.of(source), ref=ref, leader=leader,
                klass=ItemClass.of(klass), content=content, standard=standard, created=change.at, status=Status.PENDING,
                due=_date(due), within=within, preset=preset, parent=parent)


_ROLES = {r.code: r for r in Role}

# The columns an `imported` event sets, in the order :func:`imported` gives them; every other column of
# the item and its assignments keeps its default, which is the table's and the dataclass's alike.
IMPORTED_ITEM = ("title", "source", "ref", "leader", "class", "content", "standard", "created", "status", "due",
                 "within", "preset", "parent_id")
IMPORTED_ASSIGNMENT = ("unit_id", "role", "status", "assigned_on", "due", "due_basis", "person", "last_feedback",
                       "original_due", "within")


def imported(d: dict, at: dt.date) -> tuple[tuple, list[tuple]]:
    """`imported` (duban import): an item from a sheet row, created and assigned in one step.

    ``d["units"]`` lists the units, lead first. The 交办 date is the sheet's own
    (``assigned_on``) or, when unknown, the import date (``at``); a deadline already past is
    allowed (the row describes work under way), except before a 交办 date the sheet gives. A row
    with 进展情况 counts as the lead unit's progress report on the import date.

    Returns the item's values (:data:`IMPORTED_ITEM` order) and each unit's assignment
    (:data:`IMPORTED_ASSIGNMENT`), codes and ISO dates as stored. The one implementation of the
    event: :func:`apply` builds the item from it, and ``Ledger.write_import`` stores it as it is
    (10,000 rows at a time, without building the dataclasses).
    """
    today = at.isoformat()
    assigned_on = _day(d.get("assigned_on")) or today
    due = _day(d.get("due"))
    if d.get("assigned_on_known"):
        _check_due(_date(due), _date(assigned_on), "办理时限", "交办时间")
    title, source, ref, leader, klass, content, standard, due, _within, preset, parent = _new_item(d)
    units = d.get("units") or []
    if not units or units[0].get("role") != Role.LEAD.code:
        raise InvalidInput("导入的事项须有牵头单位")
    basis = d.get("due_basis", "given")
    within = d.get("within") if basis != "given" else None
    assignments = []
    seen = set()
    for position, entry in enumerate(units):
        role = _ROLES[entry["role"]].code
        unit_id = entry["unit_id"]
        if unit_id in seen:
            raise InvalidInput(f"单位“{entry['unit']}”重复出现在牵头/配合单位中")
        seen.add(unit_id)
        if position:
            if role == Role.LEAD.code:
                raise InvalidInput(f"导入的事项只能有一个牵头单位（已有“{units[0]['unit']}”）")
            assignments.append((unit_id, role, Status.OPEN.code, assigned_on, due, basis, None, None, due, within))
        else:
            assignments.append((unit_id, role, Status.OPEN.code, assigned_on, due, basis, d.get("person"),
                                today if d.get("progress") else None, due, within))
    # every unit starts open, so the item rolls up to open (:func:`rollup`); `within` is a pending item's N
    return (title, source, ref, leader, klass, content, standard, assigned_on, Status.OPEN.code, due, None, preset,
            parent), assignments


def _imported(change: Change) -> Item:
    """The item an `imported` event makes (:func:`imported`), as the dataclasses."""
    (title, source, ref, leader, klass, content, standard, created, status, due, within, preset,
     parent), assignments = imported(change.data, change.at)
    item = Item(id=change.data.get("id", 0), title=title, source=Source.of(source), ref=ref, leader=leader,
                klass=ItemClass.of(klass), content=content, standard=standard, created=_date(created),
                status=Status.of(status), due=_date(due), within=within, preset=preset, parent=parent)
    for (unit_id, role, state, assigned_on, unit_due, basis, person, last_feedback, original_due, unit_within), entry \
            in zip(assignments, change.data["units"]):
        item.assignments.append(Assignment(
            unit_id=unit_id, unit=change.unit if unit_id == change.unit_id and change.unit else entry["unit"],
            role=_ROLES[role], status=Status.of(state), assigned_on=_date(assigned_on), due=_date(unit_due),
            due_basis=basis, person=person, last_feedback=_date(last_feedback), original_due=_date(original_due),
            within=unit_within))
    return item


def _assigned(item: Item, change: Change) -> None:
    if item.status in (Status.CANCELLED, Status.CLOSED):
        raise InvalidTransition(f"事项 #{item.id} 状态为“{item.status.label}”，不能交办")
    d = change.data
    role = Role(d["role"])
    if any(a.unit_id == change.unit_id for a in item.assignments):
        raise InvalidInput(f"单位“{change.unit}”已是事项 #{item.id} 的责任单位")
    if role is Role.LEAD and item.lead is not None:
        raise InvalidInput(f"事项 #{item.id} 已有牵头单位“{item.lead.unit}”")
    due = _date(d.get("due"))
    _check_due(due, change.at)
    item.assignments.append(
        Assignment(
            unit_id=change.unit_id,
            unit=change.unit,
            role=role,
            status=Status.OPEN,
            assigned_on=change.at,
            due=due,
            due_basis=d.get("due_basis", "given"),
            person=d.get("person"),
            original_due=due,
            within=d.get("within"),
        )
    )
    if d.get("preset"):
        item.preset = d["preset"]
    if role is Role.LEAD:
        item.due = due
        item.within = None


def _signed(item: Item, change: Change) -> None:
    a = _assignment(item, change)
    _require(a, (Status.OPEN, Status.PAUSED), "签收", item)
    if a.signed_on is not None:
        raise InvalidTransition(f"“{a.unit}”已于 {a.signed_on.isoformat()} 签收事项 #{item.id}")
    a.signed_on = change.at


def _feedback(item: Item, change: Change) -> None:
    a = _assignment(item, change)
    _require(a, (Status.OPEN, Status.PAUSED), "反馈进展", item)
    _need_text(change.data.get("text"), "反馈内容")
    percent = change.data.get("percent")
    if percent is not None:
        if not 0 <= percent <= 100:
            raise InvalidInput(f"完成百分比应在 0 到 100 之间，收到 {percent}")
        a.percent = percent
    a.last_feedback = change.at


def _later_deadline(item: Item, change: Change, action: str, what: str, than: str) -> tuple[Assignment, dt.date]:
    """The assignment and the later deadline an extension (or a request for one) names, checked."""
    a = _assignment(item, change)
    _require(a, (Status.OPEN, Status.PAUSED), action, item)
    _need_text(change.data.get("reason"), "延期理由")
    new_due = _date(change.data["to"])
    if a.due is not None and new_due <= a.due:
        raise InvalidInput(f"{what} {new_due.isoformat()} 应晚于{than} {a.due.isoformat()}")
    _check_due(new_due, change.at, what, "今天")
    return a, new_due


def _extended(item: Item, change: Change) -> None:
    a, new_due = _later_deadline(item, change, "延期", "延期后的时限", "原时限")
    a.due = new_due
    a.due_basis = change.data.get("due_basis", "given")
    a.within = None
    a.extensions += 1
    if a.role is Role.LEAD:
        item.due = new_due


def _extension_requested(item: Item, change: Change) -> None:
    """A unit asks for a later deadline (from its returned 反馈表): checked, pending, nothing moves yet."""
    _later_deadline(item, change, "申请延期", "申请延期至", "现时限")


def _extension_granted(item: Item, change: Change) -> None:
    """The office grants a request: the deadline moves to the requested date, as 延期 does."""
    _extended(item, change)


def _extension_denied(item: Item, change: Change) -> None:
    a = _assignment(item, change)
    _require(a, (Status.OPEN, Status.PAUSED), "答复延期申请", item)
    _need_text(change.data.get("reason"), "不同意延期的理由")


def _paused(item: Item, change: Change) -> None:
    a = _assignment(item, change)
    _require(a, (Status.OPEN,), "暂缓", item)
    _need_text(change.data.get("reason"), "暂缓理由")
    a.status = Status.PAUSED


def _resumed(item: Item, change: Change) -> None:
    a = _assignment(item, change)
    _require(a, (Status.PAUSED,), "恢复办理", item)
    a.status = Status.OPEN
    a.restarted_on = change.at
    if change.data.get("to"):  # the clock stopped while paused: the deadline moves (or a new one is set)
        _set_due(item, a, _date(change.data["to"]), change.data)


def _set_due(item: Item, a: Assignment, due: dt.date, data: dict) -> None:
    a.due = due
    a.due_basis = data.get("due_basis", "given")
    a.within = data.get("within")
    if a.role is Role.LEAD:
        item.due = due


def _due_recomputed(item: Item, change: Change) -> None:
    """`due_recomputed`: a year's holiday schedule was entered and an N-working-day deadline recounted."""
    a = _assignment(item, change)
    _require(a, (Status.OPEN, Status.PAUSED), "重算时限", item)
    new_due = _date(change.data.get("to"))
    if new_due is None or a.within is None:
        raise InvalidInput(f"“{a.unit}”的办理时限不是按工作日数计算的，不能重算")
    _set_due(item, a, new_due, {"due_basis": change.data.get("due_basis", "calendar"), "within": a.within})


def _closed(item: Item, change: Change) -> None:
    a = _assignment(item, change)
    _require(a, (Status.OPEN,), "办结", item)
    a.result = _need_text(change.data.get("result"), "办结情况")
    a.closed_on = change.at
    a.status = Status.DONE if change.data.get("review") else Status.CLOSED


def _reviewed(item: Item, change: Change) -> None:
    a = _assignment(item, change)
    _require(a, (Status.DONE,), "审核销号", item)
    a.status = Status.CLOSED


def _returned(item: Item, change: Change) -> None:
    a = _assignment(item, change)
    _require(a, (Status.DONE,), "退回", item)
    _need_text(change.data.get("reason"), "退回理由")
    a.status = Status.OPEN
    a.closed_on = None
    a.restarted_on = change.at


def _cancelled(item: Item, change: Change) -> None:
    _need_text(change.data.get("reason"), "撤销理由")
    if change.unit_id is None:
        if item.status is not Status.PENDING:
            raise InvalidTransition(f"事项 #{item.id} 状态为“{item.status.label}”，不能撤销")
        item.status = Status.CANCELLED
        return
    a = _assignment(item, change)
    _require(a, (Status.OPEN, Status.PAUSED, Status.DONE), "撤销", item)
    a.status = Status.CANCELLED


def _reopened(item: Item, change: Change) -> None:
    a = _assignment(item, change)
    _require(a, (Status.CLOSED,), "重启", item)
    _need_text(change.data.get("reason"), "重启理由")
    a.status = Status.OPEN
    a.closed_on = None
    a.restarted_on = change.at
    a.percent = None  # progress restarts: the old percent described the work before the 反弹
    a.progress_since = change.at
    if change.data.get("due"):
        new_due = _date(change.data["due"])
        _check_due(new_due, change.at, "重启后的时限", "今天")
        _set_due(item, a, new_due, change.data)


def _revisited(item: Item, change: Change) -> None:
    if item.status is not Status.CLOSED:
        raise InvalidTransition(f"事项 #{item.id} 尚未销号，不能回访")


def _milestone_added(item: Item, change: Change) -> None:
    if item.status in (Status.CLOSED, Status.CANCELLED):
        raise InvalidTransition(f"事项 #{item.id} 状态为“{item.status.label}”，不能设定节点")
    title = _need_text(change.data.get("title"), "节点内容")
    due = _date(change.data.get("due"))
    if due is None:
        raise InvalidInput("节点日期不能为空")
    if due < item.created:
        raise InvalidInput(f"节点日期 {due.isoformat()} 早于立项日期 {item.created.isoformat()}")
    item.milestones.append(Milestone(seq=len(item.milestones) + 1, due=due, title=title))


def _milestone_done(item: Item, change: Change) -> None:
    seq = change.data.get("seq")
    found = next((m for m in item.milestones if m.seq == seq), None)
    if found is None:
        raise InvalidInput(f"事项 #{item.id} 没有第{seq}个节点")
    if found.done_on is not None:
        raise InvalidTransition(f"节点“{found.title}”已于 {found.done_on.isoformat()} 完成")
    found.done_on = change.at


def _on_live_assignment(action: str):
    """催办 and 督办 need work still under way; only 通报表扬 may follow a closure (of a unit on the item)."""

    def handler(item: Item, change: Change) -> None:
        if change.data.get("kind") == "praise":
            if item.status in (Status.CANCELLED, Status.PENDING):
                raise InvalidTransition(f"事项 #{item.id} 状态为“{item.status.label}”，不能通报表扬")
            if change.unit_id is not None:
                _assignment(item, change)
            return
        if change.unit_id is None:
            if item.status in (Status.CANCELLED, Status.PENDING, Status.CLOSED):
                raise InvalidTransition(f"事项 #{item.id} 状态为“{item.status.label}”，不能{action}")
            return
        a = _assignment(item, change)
        _require(a, (Status.OPEN, Status.PAUSED, Status.DONE), action, item)

    return handler


_HANDLERS = {
    EventKind.ASSIGNED: _assigned,
    EventKind.SIGNED: _signed,
    EventKind.FEEDBACK: _feedback,
    EventKind.EXTENDED: _extended,
    EventKind.EXTENSION_REQUESTED: _extension_requested,
    EventKind.EXTENSION_GRANTED: _extension_granted,
    EventKind.EXTENSION_DENIED: _extension_denied,
    EventKind.PAUSED: _paused,
    EventKind.RESUMED: _resumed,
    EventKind.CLOSED: _closed,
    EventKind.REVIEWED: _reviewed,
    EventKind.RETURNED: _returned,
    EventKind.CANCELLED: _cancelled,
    EventKind.REOPENED: _reopened,
    EventKind.REVISITED: _revisited,
    EventKind.MILESTONE_ADDED: _milestone_added,
    EventKind.MILESTONE_DONE: _milestone_done,
    EventKind.DUE_RECOMPUTED: _due_recomputed,
    EventKind.ESCALATED: _on_live_assignment("督办升级"),
    EventKind.REMINDED: _on_live_assignment("催办"),
    EventKind.ISSUED: lambda item, change: None,  # a document about the item: no change of state
    EventKind.UNDONE: lambda item, change: None,  # duban undo: on the ledger's log, not an item's (duban/undo.py)
}


# -- amended (duban edit): corrections to the item's own fields ---------------------------------


def _amended(item: Item, change: Change) -> None:
    """Each of ``data["changes"]`` ({field: {"old", "new"}}) replaces the item's value."""
    changes = change.data.get("changes") or {}
    if not changes:
        raise InvalidInput(f"事项 #{item.id} 没有需要修改的内容")
    for key, values in changes.items():
        new = values.get("new")
        if key not in EDITABLE_FIELDS:
            raise InvalidInput(f"不能修改“{key}”")
        if key == "title":
            item.title = _need_text(new, "事项名称")
        elif key == "class":
            item.klass = ItemClass(new)
        elif key == "source":
            item.source = Source(new)
        else:
            setattr(item, key, new or None)


_HANDLERS[EventKind.AMENDED] = _amended


# -- merged (duban merge KEEP DROP): one event on each item --------------------------------------

_FINISHED = (Status.CLOSED, Status.CANCELLED, Status.MERGED)


def _merged(item: Item, change: Change) -> None:
    """DROP (``data["into"]``) becomes 已合并 with its units still in work; KEEP (``data["from"]``) only
    records what came in. Both must still be in the ledger's current work."""
    _need_text(change.data.get("reason"), "合并理由")
    into = change.data.get("into")
    if item.status in _FINISHED:
        action = "合并到其他事项" if into is not None else "并入其他事项"
        raise InvalidTransition(f"事项 #{item.id} 状态为“{item.status.label}”，不能{action}")
    if into is None:
        return
    for a in item.assignments:
        if a.status in (Status.OPEN, Status.PAUSED, Status.DONE):
            a.status = Status.MERGED
    item.status = Status.MERGED


_HANDLERS[EventKind.MERGED] = _merged
