"""Writing items: each action checks, applies its events through lifecycle and stores the result."""

from __future__ import annotations

import json
import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from . import lifecycle, rules
from .errors import InvalidInput, InvalidTransition
from .models import (
    Assignment,
    EventKind,
    EscalationKind,
    Item,
    ItemClass,
    ItemView,
    Role,
    Satisfaction,
    Source,
    Status,
    Unit,
)
from .ledger_rows import (
    UPSERT_ASSIGNMENT,
    _check_not_before,
    _date,
    _iso,
    _item_preset,
    assignment_row,
)



class ItemWrites:
    """Writing items: each action checks, applies its events through lifecycle and stores the result. A mixin of :class:`duban.ledger.Ledger`."""

    # -- items: writing -------------------------------------------------------------------
    def _check_date_order(self, item_id: int) -> None:
        row = self.db.execute("SELECT max(at) FROM events WHERE item_id = ?", [item_id]).fetchone()
        if row and row[0] and row[0] > self.today.isoformat():
            raise InvalidInput(
                f"事项 #{item_id} 已有 {row[0]} 的记录，不能再记入更早日期 {self.today.isoformat()} 的操作"
            )

    def _apply(self, item: Item | None, kind: EventKind, detail: str, unit: Unit | None = None,
               data: dict | None = None, item_id: int | None = None) -> Item:
        change = lifecycle.Change(kind, self.today, unit.id if unit else None, unit.name if unit else None,
                                  data or {})
        new = lifecycle.apply(item, change)
        item_id = item.id if item is not None else item_id
        new.id = item_id
        self._log(kind, detail, item_id=item_id, unit_id=change.unit_id, data=change.data)
        self._store(new, item)
        return new

    def _store(self, new: Item, old: Item | None) -> None:
        """Store the state an event led to; the item's schedule (and its parent's) follows at commit."""
        self._schedule_items((new.id,))
        self.db.execute(
            "UPDATE items SET status = ?, due = ?, within = ?, preset = ? WHERE id = ?",
            [new.status.code, _iso(new.due), new.within, new.preset, new.id],
        )
        old_milestones = {m.seq: m for m in (old.milestones if old else [])}
        for m in new.milestones:
            if old_milestones.get(m.seq) != m:
                self.db.execute(
                    "INSERT INTO milestones (item_id, seq, due, title, done_on) VALUES (?, ?, ?, ?, ?)"
                    " ON CONFLICT(item_id, seq) DO UPDATE SET due = excluded.due, title = excluded.title,"
                    " done_on = excluded.done_on",
                    [new.id, m.seq, m.due.isoformat(), m.title, _iso(m.done_on)],
                )
        before = {a.unit_id: a for a in (old.assignments if old else [])}
        for a in new.assignments:
            if before.get(a.unit_id) == a:
                continue
            self.db.execute(UPSERT_ASSIGNMENT, assignment_row(new.id, a))

    def create(self, title: str, source: Source, *, ref: str | None = None, leader: str | None = None,
               klass: ItemClass = ItemClass.ROUTINE, content: str | None = None, standard: str | None = None,
               lead: str | None = None, co: Sequence[str] = (), due: dt.date | None = None,
               within: int | None = None, person: str | None = None,
               milestones: Sequence[tuple[dt.date, str]] = (), long_term: bool = False,
               parent: int | None = None, preset: str | None = None) -> ItemView:
        """Register an item (立项); with ``lead`` it is assigned (交办) at once.

        ``long_term`` (长期): no deadline at all, not the default one; lit by its feedback
        cadence and milestones only. ``preset`` (11350) applies that preset's deadline and
        first-feedback rule to this item only.
        """
        _item_preset(preset)
        if long_term and (due is not None or within is not None):
            raise InvalidInput("长期事项不设办理时限：--due 长期 不能与日期或 --within 同时给出")
        title = (title or "").strip()
        if not title:
            raise InvalidInput("事项名称不能为空")
        if co and not lead:
            raise InvalidInput("给出配合单位时须同时给出牵头单位（--lead）")
        if due is not None and within is not None:
            raise InvalidInput("--due 与 --within 只能给出一个")
        if due is not None and due < self.today:
            raise InvalidInput(f"办理时限 {due.isoformat()} 早于立项日期 {self.today.isoformat()}")
        with self._write():
            if parent is not None:
                from .ledger_clerk import check_parent

                check_parent(self._load(parent), self.today)
            units = self._assignment_units(lead, co) if lead else []
            self.resolve_deadline(due, within)  # validates before anything is written
            self.warnings.clear()
            item_id = self.db.execute(
                "INSERT INTO items (title, source, ref, leader, class, content, standard, created, status, parent_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
                [title, source.code, ref, leader, klass.code, content, standard, self.today.isoformat(), parent],
            ).lastrowid
            data = {"title": title, "source": source.code, "ref": ref, "leader": leader, "class": klass.code,
                    "content": content, "standard": standard, "due": _iso(due), "within": within}
            if long_term:
                data["long_term"] = True
            if parent is not None:
                data["parent"] = parent
            if preset:
                data["preset"] = preset
            said = f"，分解自事项 #{parent}" if parent is not None else ""
            item = self._apply(None, EventKind.CREATED, f"立项：{title}（{source.label}）{said}", data=data,
                               item_id=item_id)
            if units:
                item = self._assign_units(item, units, due, within, person, long_term, preset)
            for when, what in milestones:
                item = self._add_milestone(item, when, what)
        return self.item(item_id)

    def _add_milestone(self, item: Item, due: dt.date, title: str) -> Item:
        self.resolve_deadline(due, None, what="节点日期")  # warns about a holiday or an unknown year
        return self._apply(item, EventKind.MILESTONE_ADDED, f"设定节点：{due.isoformat()} {title}",
                           data={"due": due.isoformat(), "title": title})

    def add_milestone(self, item_id: int, due: dt.date, title: str) -> ItemView:
        """节点: add a dated intermediate target; a missed one lights the item red."""
        with self._write():
            item = self._load(item_id)
            self._check_date_order(item_id)
            self._add_milestone(item, due, title)
        return self.item(item_id)

    def complete_milestone(self, item_id: int, seq: int) -> ItemView:
        with self._write():
            item = self._load(item_id)
            self._check_date_order(item_id)
            title = next((m.title for m in item.milestones if m.seq == seq), "")
            self._apply(item, EventKind.MILESTONE_DONE, f"完成节点{seq}：{title}", data={"seq": seq})
        return self.item(item_id)

    def _assignment_units(self, lead: str, co: Sequence[str]) -> list[tuple[Unit, Role]]:
        lead_unit = self.unit(lead)
        result = [(lead_unit, Role.LEAD)]
        seen = {lead_unit.id}
        for name in co:
            unit = self.unit(name)
            if unit.id in seen:
                raise InvalidInput(f"单位“{unit.name}”重复出现在牵头/配合单位中")
            seen.add(unit.id)
            result.append((unit, Role.CO))
        return result

    def _assign_units(self, item: Item, units: list[tuple[Unit, Role]], due: dt.date | None,
                      within: int | None, person: str | None, long_term: bool = False, preset: str | None = None) -> Item:
        if long_term:
            if due is not None or within is not None:
                raise InvalidInput("长期事项不设办理时限：--due 长期 不能与日期或 --within 同时给出")
        elif due is None and within is None and item.lead is not None and item.lead.due is None:
            pass  # co units added to a long-term item share its (absent) deadline
        elif due is None and within is None and item.lead is None and self._planned_long_term(item.id):
            pass  # registered as 长期 while pending
        elif due is None and within is None:
            if item.lead is not None and item.lead.due is not None:
                due = item.lead.due  # co units added later share the lead's deadline
            elif item.due is not None:
                due = item.due
            else:
                rules_now = rules.item_settings(dataclasses.replace(item, preset=preset or item.preset), self.settings)
                within = item.within or rules_now["default_due_workdays"]
        deadline = self.resolve_deadline(due, within, self.today)
        for unit, role in units:
            data = {"role": role.code, "due": _iso(deadline.due), "due_basis": deadline.basis,
                    "within": deadline.within, "person": person if role is Role.LEAD else None}
            if preset and preset != item.preset:
                data["preset"] = preset
            when = f"，办理时限 {deadline.due.isoformat()}" if deadline.due else "，长期事项，不设办理时限"
            item = self._apply(item, EventKind.ASSIGNED, f"交办{role.label}单位“{unit.name}”{when}", unit, data)
        return item

    def _planned_long_term(self, item_id: int) -> bool:
        """Whether the item was registered as 长期 (its `created` event says so)."""
        row = self.db.execute("SELECT json_extract(data, '$.long_term') FROM events WHERE item_id = ? AND kind = 'created'"
                              " ORDER BY id LIMIT 1", [item_id]).fetchone()
        return bool(row and row[0])

    def merge(self, keep: int, drop: int, reason: str) -> ItemView:
        """合并 (duban merge): DROP becomes 已合并, pointing to KEEP (see :func:`duban.ledger_clerk.merge`)."""
        from .ledger_clerk import merge

        return merge(self, keep, drop, reason)

    def edit(self, item_id: int, **fields: Any) -> ItemView:
        """更正 (duban edit): title, ref, leader, class, source, content, standard — one `amended` event."""
        from .ledger_clerk import edit

        return edit(self, item_id, fields)

    def assign(self, item_id: int, lead: str | None, co: Sequence[str] = (), due: dt.date | None = None,
               within: int | None = None, person: str | None = None, long_term: bool = False,
               preset: str | None = None) -> ItemView:
        """交办: give a pending item its lead (and co) units, or add co units to an assigned one."""
        _item_preset(preset)
        with self._write():
            item = self._load(item_id)
            self._check_date_order(item_id)
            if item.status in (Status.CANCELLED, Status.CLOSED):
                raise InvalidTransition(f"事项 #{item_id} 状态为“{item.status.label}”，不能交办")
            current = item.lead
            if lead is None and current is None:
                raise InvalidInput(f"事项 #{item_id} 尚未交办，请用 --lead 指定牵头单位")
            units: list[tuple[Unit, Role]] = []
            if lead is not None:
                lead_unit = self.unit(lead)
                if current is not None and current.unit_id != lead_unit.id:
                    raise InvalidInput(f"事项 #{item_id} 已由“{current.unit}”牵头，不能改为“{lead_unit.name}”")
                if current is None:
                    units.append((lead_unit, Role.LEAD))
            taken = {a.unit_id for a in item.assignments} | {u.id for u, _ in units}
            for name in co:
                unit = self.unit(name)
                if unit.id in taken:
                    raise InvalidInput(f"单位“{unit.name}”已是事项 #{item_id} 的责任单位")
                taken.add(unit.id)
                units.append((unit, Role.CO))
            if not units:
                raise InvalidInput(f"事项 #{item_id} 没有需要新交办的单位")
            self._assign_units(item, units, due, within, person, long_term, preset)
        return self.item(item_id)

    def _targets(self, item: Item, unit: str | None, statuses: Iterable[Status],
                 action: str) -> list[tuple[Unit, Assignment]]:
        """The assignments an action applies to: the named unit's, or every one in ``statuses``."""
        if unit is not None:
            u = self.unit(unit)
            for a in item.assignments:
                if a.unit_id == u.id:
                    return [(u, a)]
            raise InvalidInput(f"单位“{u.name}”不是事项 #{item.id} 的责任单位")
        statuses = set(statuses)
        found = [(Unit(id=a.unit_id, name=a.unit), a) for a in item.assignments if a.status in statuses]
        if not found:
            if not item.assignments:
                raise InvalidTransition(f"事项 #{item.id} 尚未交办，不能{action}")
            raise InvalidTransition(f"事项 #{item.id} 状态为“{item.status.label}”，没有可以{action}的单位")
        return found

    def _act(self, item_id: int, unit: str | None, statuses: Iterable[Status], action: str, kind: EventKind,
             detail: Callable[[str], str], data: dict | None = None) -> ItemView:
        """Apply one kind of event to the named unit's assignment, or to each one in ``statuses``."""
        with self._write():
            item = self._load(item_id)
            self._check_date_order(item_id)
            for u, _ in self._targets(item, unit, statuses, action):
                item = self._apply(item, kind, detail(u.name), u, data)
        return self.item(item_id)

    def sign(self, item_id: int, unit: str) -> ItemView:
        return self._act(item_id, unit, (), "签收", EventKind.SIGNED, lambda u: f"“{u}”签收")

    def feedback(self, item_id: int, unit: str, text: str, percent: int | None = None) -> ItemView:
        text = (text or "").strip()
        shown = f"（完成{percent}%）" if percent is not None else ""
        repeated = self._same_feedback_today(item_id, unit, text, percent)
        if repeated is not None:
            self.warnings.append(f"注意：“{repeated}”今天已就事项 #{item_id} 记录过相同的反馈，未重复记录")
            return self.item(item_id)
        return self._act(item_id, unit, (), "反馈", EventKind.FEEDBACK, lambda u: f"“{u}”反馈进展{shown}：{text}",
                         {"text": text, "percent": percent})

    def _same_feedback_today(self, item_id: int, unit: str, text: str, percent: int | None) -> str | None:
        """The same command run twice: the unit's name when its latest record on the item is today's
        feedback, word for word; otherwise None."""
        self._load(item_id)  # a missing item is said before a unit not on it
        found = self.unit(unit)
        last = self.db.execute("SELECT kind, at, data FROM events WHERE item_id = ? AND unit_id = ? ORDER BY id DESC"
                               " LIMIT 1", [item_id, found.id]).fetchone()
        if last is None or last[0] != EventKind.FEEDBACK.code or last[1] != self.today.isoformat():
            return None
        data = json.loads(last[2])
        return found.name if data.get("text") == text and data.get("percent") == percent else None

    def extend(self, item_id: int, to: dt.date, reason: str, unit: str | None = None) -> ItemView:
        """延期: move the deadline of the named unit, or of every unit still at work."""
        deadline = self.resolve_deadline(to, None)
        with self._write():
            item = self._load(item_id)
            self._check_date_order(item_id)
            for u, a in self._targets(item, unit, (Status.OPEN, Status.PAUSED), "延期"):
                old = _iso(a.due) or "无"
                item = self._apply(item, EventKind.EXTENDED, f"“{u.name}”延期：{old} → {to.isoformat()}，理由：{reason}",
                                   u, {"from": _iso(a.due), "to": to.isoformat(), "reason": reason,
                                       "due_basis": deadline.basis})
        return self.item(item_id)

    def close(self, item_id: int, result: str, unit: str | None = None) -> ItemView:
        """办结: 销号 at once, or 待审核 when the ledger's ``review_required`` is on."""
        review = bool(self.settings["review_required"])
        with self._write():
            item = self._load(item_id)
            self._check_date_order(item_id)
            for u, a in self._targets(item, unit, (Status.OPEN,), "办结"):
                on_time = a.due is None or self.today <= a.due
                tail = "，待审核" if review else "，销号"
                timing = "按期" if on_time else "逾期"
                item = self._apply(item, EventKind.CLOSED, f"“{u.name}”{timing}办结{tail}：{result}", u,
                                   {"result": result, "review": review, "on_time": on_time, "due": _iso(a.due)})
        return self.item(item_id)

    def review(self, item_id: int, approve: bool, reason: str | None = None, unit: str | None = None) -> ItemView:
        if approve:
            return self._act(item_id, unit, (Status.DONE,), "审核", EventKind.REVIEWED, lambda u: f"审核通过，“{u}”销号")
        return self._act(item_id, unit, (Status.DONE,), "退回", EventKind.RETURNED,
                         lambda u: f"退回“{u}”重办：{reason or ''}", {"reason": reason})

    def pause(self, item_id: int, reason: str, unit: str | None = None) -> ItemView:
        return self._act(item_id, unit, (Status.OPEN,), "暂缓", EventKind.PAUSED, lambda u: f"“{u}”暂缓：{reason}",
                         {"reason": reason})

    def resume(self, item_id: int, unit: str | None = None, note: str | None = None, keep_due: bool = False,
               due: dt.date | None = None, within: int | None = None) -> ItemView:
        """恢复办理. The clock stopped while paused (DOMAIN.md §4): the deadline moves later by the working
        days after the pause date up to and including today, unless ``keep_due``, a new ``due``/``within``,
        or the setting ``pause_extends_due`` off says otherwise."""
        if keep_due and (due is not None or within is not None):
            raise InvalidInput("--keep-due 与 --due/--within 只能给出一个")
        deadline = self.resolve_deadline(due, within) if (due is not None or within is not None) else None
        if deadline is not None:
            _check_not_before(deadline.due, self.today, "恢复办理后的时限")
        tail = f"：{note}" if note else ""
        cal = self.calendar
        with self._write():
            item = self._load(item_id)
            self._check_date_order(item_id)
            for u, a in self._targets(item, unit, (Status.PAUSED,), "恢复办理"):
                new = (deadline.due, deadline.basis, deadline.within) if deadline is not None else None
                extend = self.settings["pause_extends_due"] and not keep_due
                data, said, uncovered = rules.resume_change(a, self._paused_on(item_id, a.unit_id), self.today, cal,
                                                            extend, new)
                data["note"] = note
                if uncovered:
                    self._warn_uncovered(uncovered, f"顺延后的办理时限按法定节假日估算为 {data['to']}")
                if keep_due and a.due is not None:
                    said = "，时限不变"
                item = self._apply(item, EventKind.RESUMED, f"“{u.name}”恢复办理{said}{tail}", u, data)
        return self.item(item_id)

    def _paused_on(self, item_id: int, unit_id: int) -> dt.date | None:
        row = self.db.execute("SELECT max(at) FROM events WHERE item_id = ? AND unit_id = ? AND kind = 'paused'",
                              [item_id, unit_id]).fetchone()
        return _date(row[0]) if row else None

    def cancel(self, item_id: int, reason: str, unit: str | None = None) -> ItemView:
        """撤销 the whole item (every unit still at work), or one co-operating unit."""
        with self._write():
            item = self._load(item_id)
            self._check_date_order(item_id)
            data = {"reason": reason}
            if not item.assignments and unit is None:
                self._apply(item, EventKind.CANCELLED, f"撤销事项：{reason}", None, data)
            else:
                targets = self._targets(item, unit, (Status.OPEN, Status.PAUSED, Status.DONE), "撤销")
                if unit is not None and targets[0][1].role is Role.LEAD:
                    raise InvalidInput("牵头单位的交办不能单独撤销；如事项不再需要办理，请不带 --unit 撤销整个事项")
                for u, _ in targets:
                    item = self._apply(item, EventKind.CANCELLED, f"撤销“{u.name}”的交办：{reason}", u, data)
        return self.item(item_id)

    def reopen(self, item_id: int, reason: str, unit: str | None = None, due: dt.date | None = None,
               within: int | None = None) -> ItemView:
        """重启 a closed item (反弹), optionally with a new deadline."""
        deadline = self.resolve_deadline(due, within) if (due or within) else None
        with self._write():
            item = self._load(item_id)
            self._check_date_order(item_id)
            for u, _ in self._targets(item, unit, (Status.CLOSED,), "重启"):
                data = {"reason": reason}
                if deadline is not None:
                    data.update(due=_iso(deadline.due), due_basis=deadline.basis, within=deadline.within)
                when = f"，办理时限 {deadline.due.isoformat()}" if deadline is not None and deadline.due else ""
                item = self._apply(item, EventKind.REOPENED, f"“{u.name}”重启：{reason}{when}", u, data)
        return self.item(item_id)

    def revisit(self, item_id: int, satisfaction: Satisfaction, note: str | None = None) -> ItemView:
        with self._write():
            item = self._load(item_id)
            self._check_date_order(item_id)
            tail = f"（{note}）" if note else ""
            self._apply(item, EventKind.REVISITED, f"回访：{satisfaction.label}{tail}", None,
                        {"satisfaction": satisfaction.code, "note": note})
        return self.item(item_id)

    def escalate(self, item_id: int, kind: EscalationKind, unit: str | None = None, note: str | None = None) -> ItemView:
        with self._write():
            item = self._load(item_id)
            self._check_date_order(item_id)
            u = self.unit(unit) if unit else None
            tail = f"：{note}" if note else ""
            who = f"对“{u.name}”" if u else ""
            self._apply(item, EventKind.ESCALATED, f"{who}{kind.label}{tail}", u, {"kind": kind.code, "note": note})
        return self.item(item_id)
