"""文号 and the documents duban issues: 催办 notices from recorded events, 任务交办单, 任务销号单.

* :func:`take_number` gives the next 文号 of the year (``督办〔2026〕12号``), one series for every
  document, inside the caller's write transaction; a number once committed is never given again
  (table ``document_numbers``, (year, no) unique). A document that is about the same thing
  (its ``key``) keeps the number it got first.
* :func:`notices_of` rebuilds the day's notices from the `reminded` events alone (their data holds
  everything a notice shows), so `remind --reprint` gives the same notices with the same 文号.
* :func:`assignment_sheet` / :func:`closure_sheet` gather what a 任务交办单 / 任务销号单 shows
  (seeds/004 L29–41, 晋城 “四单”: 任务通知单 … 任务销号单).

Reads and writes go through the ledger; the rules used are pure (:mod:`duban.rules`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import InvalidTransition
from .models import Event, EventKind, Item, Role, Status

if TYPE_CHECKING:  # pragma: no cover
    from .ledger import Ledger
    from .notices import Notice


def ref_text(prefix: str, year: int, no: int) -> str:
    """``督办〔2026〕12号`` (GB/T 9704-2012 §7.2.4: 机关代字、年份用六角括号、序号不编虚位)."""
    return f"{prefix}〔{year}〕{no}号"


def take_number(led: Ledger, kind: str, key: str, item_id: int | None = None,
                unit_id: int | None = None) -> tuple[int, str]:
    """The 文号 of the document ``key`` (kind 催办通知, 任务交办单, …): the one it has, or the next one.

    A ``key`` containing ``{no}`` is always a new document (each day's notices are new documents).

    Must run inside the ledger's write transaction, with the events that record the document.
    """
    fresh = "{no}" in key  # a key naming the number itself: always a new document
    if not fresh:
        found = led.db.execute("SELECT no, ref FROM document_numbers WHERE key = ?", [key]).fetchone()
        if found:
            return found[0], found[1]
    year = led.today.year
    no = led.db.execute("SELECT coalesce(max(no), 0) + 1 FROM document_numbers WHERE year = ?", [year]).fetchone()[0]
    key = key.replace("{no}", f"{year}-{no}")
    ref = ref_text(led.settings["notice_ref_prefix"], year, no)
    led.db.execute("INSERT INTO document_numbers (year, no, ref, kind, key, issued_on, item_id, unit_id)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [year, no, ref, kind, key, led.today.isoformat(), item_id, unit_id])
    return no, ref


def existing_number(led: Ledger, key: str) -> str | None:
    row = led.db.execute("SELECT ref FROM document_numbers WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


# -- 催办 notices from the recorded events ---------------------------------------------------------


def reminded_events(led: Ledger, day: dt.date | None = None, ids: Sequence[int] | None = None) -> list[Event]:
    """The `reminded` events of ``day``, or those with the given ids, oldest first."""
    sql = ("SELECT e.id, e.item_id, e.at, e.unit_id, u.name, e.detail, e.data FROM events e"
           " LEFT JOIN units u ON u.id = e.unit_id WHERE e.kind = 'reminded' AND ")
    if ids is not None:
        rows = led.db.execute(sql + "e.id IN (SELECT value FROM json_each(?)) ORDER BY e.id",
                              [json.dumps(list(ids))]).fetchall()
    else:
        rows = led.db.execute(sql + "e.at = ? ORDER BY e.id", [day.isoformat()]).fetchall()
    return [Event(id=r[0], item_id=r[1], at=dt.date.fromisoformat(r[2]), kind=EventKind.REMINDED, unit_id=r[3],
                  unit=r[4], detail=r[5], data=json.loads(r[6])) for r in rows]


def reminded_today(led: Ledger) -> tuple[int, int]:
    """(reminders, units) recorded today, whichever run recorded them."""
    row = led.db.execute("SELECT count(*), count(DISTINCT unit_id) FROM events WHERE kind = 'reminded' AND at = ?",
                         [led.today.isoformat()]).fetchone()
    return row[0], row[1]


def notices_of(led: Ledger, events: Iterable[Event]) -> list[Notice]:
    """One notice per 文号 (per unit and level for reminders recorded before 文号 existed).

    Everything shown comes from the events' data; only reminders recorded by an older duban,
    whose data lacks the title, the state or the addressee, are completed from the ledger as it
    is now.
    """
    from . import notices

    groups: dict[tuple, list[Event]] = {}
    for e in events:
        key = ("ref", e.data["doc_ref"]) if e.data.get("doc_ref") else ("unit", e.at, e.unit_id, _level(e))
        groups.setdefault(key, []).append(e)
    units = {u.id: u for u in led.units()} if any("to" not in e.data for g in groups.values() for e in g) else {}
    result = []
    for group in groups.values():
        first = group[0]
        lines = []
        for e in group:
            d = e.data
            title, role, state = d.get("title"), d.get("role"), d.get("state")
            if title is None or role is None:
                item = led._load(e.item_id)
                title = item.title
                a = next((a for a in item.assignments if a.unit_id == e.unit_id), None)
                role = a.role.code if a is not None else "lead"
            role = "配合" if role == "co" else "牵头"
            lines.append(notices.Line(e.item_id, title, role, d.get("due"), state or d.get("reason", ""), _level(e),
                                      d.get("reason", "")))
        to = first.data.get("to")
        if to is None:
            unit = units.get(first.unit_id)
            to = {"unit": first.unit, "contact": unit.contact if unit else None, "phone": unit.phone if unit else None}
        reply = [dt.date.fromisoformat(e.data["reply_by"]) for e in group if e.data.get("reply_by")]
        result.append(notices.Notice(
            ref=first.data.get("doc_ref"), unit_id=first.unit_id, unit=to["unit"], contact=to.get("contact"),
            phone=to.get("phone"), level=_level(first), lines=tuple(lines),
            office=first.data.get("office") or led.settings["office_name"], day=first.at,
            reply_by=min(reply) if reply else first.at))
    return result


def _level(e: Event) -> int:
    level = e.data.get("level")
    return 1 if level is None else int(level)


# -- 任务交办单 and 任务销号单 --------------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    """A 任务交办单 or 任务销号单: its title, 文号, rows of (label, value), addressee and date."""

    kind: str  # 交办单 | 销号单
    item_id: int
    ref: str
    office: str
    unit: str
    rows: tuple[tuple[str, str], ...]
    day: dt.date
    note: str = ""

    @property
    def title(self) -> str:
        return "任务交办单" if self.kind == "交办单" else "任务销号单"


def sheet_key(kind: str, item: Item) -> str:
    """What a sheet is about: the item's 交办, or the item's closure (a reopened item closes again)."""
    if kind == "交办单":
        return f"交办单:{item.id}"
    lead = item.lead
    return f"销号单:{item.id}:{lead.closed_on.isoformat() if lead and lead.closed_on else ''}"


def check_sheet(kind: str, item: Item) -> None:
    """A 交办单 needs an assigned item; a 销号单 a closed (销号) one."""
    if kind == "交办单":
        if item.lead is None or item.status in (Status.PENDING, Status.CANCELLED):
            raise InvalidTransition(f"事项 #{item.id} 状态为“{item.status.label}”，尚未交办，不能出具任务交办单")
    elif item.status is not Status.CLOSED:
        raise InvalidTransition(f"事项 #{item.id} 状态为“{item.status.label}”，尚未销号，不能出具任务销号单")


def sheet(led: Ledger, kind: str, item: Item, ref: str) -> Sheet:
    """The rows of the sheet, from the item as the ledger holds it today."""
    from . import rules
    from .docx_util import cn_date

    lead = item.lead
    assert lead is not None
    co = [a.unit for a in item.assignments if a.role is Role.CO and a.status is not Status.CANCELLED]
    units = {u.id: u for u in led.units()}
    basis = item.source.label + (f"（{item.ref}）" if item.ref else "")
    rows: list[tuple[str, str]] = [("事项编号", f"#{item.id}"), ("督办事项", item.title), ("立项依据", basis)]
    if item.leader:
        rows.append(("牵头领导", item.leader))
    if item.content:
        rows.append(("事项内容", item.content))
    rows += [("牵头单位", lead.unit), ("配合单位", "、".join(co) or "无")]
    if kind == "交办单":
        unit = units.get(lead.unit_id)
        contact = " ".join(b for b in ((unit.contact, unit.phone) if unit else ()) if b) or "未登记"
        cadence = rules.cadence_text(rules.cadence_for(item, lead, led.settings))
        rows += [("交办日期", cn_date(lead.assigned_on) if lead.assigned_on else "—"),
                 ("办理时限", cn_date(lead.due) if lead.due else "长期"),
                 ("完成标准", item.standard or "未另定（按期办结）"),
                 ("进展反馈", cadence),
                 ("牵头单位联络员", contact)]
        if lead.person:
            rows.append(("责任人", lead.person))
    else:
        closed = lead.closed_on
        on_time = lead.due is None or (closed is not None and closed <= lead.due)
        if on_time:
            timing = "按期办结"
        else:
            late = led.calendar.workdays_between(lead.due, closed).value
            timing = f"逾期办结（超过办理时限{late}个工作日）"
        rows += [("交办日期", cn_date(lead.assigned_on) if lead.assigned_on else "—"),
                 ("办理时限", (cn_date(lead.due) if lead.due else "长期")
                  + (f"（原时限{cn_date(lead.original_due)}，延期{lead.extensions}次）"
                     if lead.original_due and lead.original_due != lead.due else "")),
                 ("办结日期", cn_date(closed) if closed else "—"),
                 ("是否按期", timing),
                 ("办理结果", lead.result or "—")]
        for a in item.assignments:
            if a.role is Role.CO and a.result and a.status is Status.CLOSED and a.result != lead.result:
                rows.append((f"配合单位办理情况（{a.unit}）", a.result))
        rows.append(("销号意见", "该事项已办结，予以销号。"))
    note = ("请牵头单位收到本单后及时签收，明确责任人，按办理时限和完成标准抓紧办理，按要求报送办理进展；"
            "配合单位主动配合。办结后报送办结报告。") if kind == "交办单" else ""
    return Sheet(kind, item.id, ref, led.settings["office_name"], lead.unit, tuple(rows), led.today, note)
