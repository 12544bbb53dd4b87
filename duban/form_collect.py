"""The units' 反馈表, coming back (``duban collect``): read each returned form (.xlsx, .xls,
.et — also after a unit re-saved it in WPS or LibreOffice), check every filled row, and
write all of it in one transaction or nothing.

A form is taken only when its hidden ``表单信息`` sheet names this ledger (its identity, see
:func:`duban.feedback_forms.ledger_identity`) and a unit of it. Each filled row must be an
item still at work for that unit; then:

* 本期进展 (with 完成百分比 0–100) → a ``feedback`` event of the unit;
* 是否办结 = 是 (needs 办结情况) → the unit's 办结, through review when ``review_required``;
* 申请延期至 (a date after the current deadline, with 延期理由) → an ``extension_requested``
  event, pending until ``duban extend ID --grant | --deny``.

A blank row is skipped. Every event carries the row's fingerprint (``data.form.row``), so
collecting the same form again — or a re-saved copy of it — adds nothing. The first
collection of a unit's form of a date is logged as a ledger-level ``form_returned`` event;
the summary names the units that returned the forms of that date and those that did not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import DubanError, InvalidInput, NotFound
from .feedback_forms import FORM_SHEET, META_SHEET, ledger_identity
from .models import EventKind, Status, Unit
from .xlsx_dates import DateProblem, parse_day
from .xlsx_sheet import cell_text

if TYPE_CHECKING:
    from .ledger import Ledger


@dataclass
class FormEntry:
    """One filled row: what it asks duban to record."""

    item_id: int
    row: int
    progress: str | None = None
    percent: int | None = None
    done: bool = False
    result: str | None = None
    extend_to: dt.date | None = None
    extend_reason: str | None = None
    person: str | None = None
    phone: str | None = None
    fingerprint: str = ""
    already: bool = False

    def actions(self) -> list[str]:
        said = []
        if self.progress:
            said.append("feedback")
        if self.done:
            said.append("closed")
        if self.extend_to:
            said.append("extension_requested")
        return said

    def record(self) -> dict[str, Any]:
        return {"id": self.item_id, "row": self.row, "actions": self.actions(), "already": self.already,
                "progress": self.progress, "percent": self.percent, "result": self.result,
                "extend_to": self.extend_to.isoformat() if self.extend_to else None,
                "extend_reason": self.extend_reason, "person": self.person, "phone": self.phone}


@dataclass
class ReturnedForm:
    file: str
    unit: str
    unit_id: int
    date: str
    entries: list[FormEntry] = field(default_factory=list)
    blank: int = 0

    def record(self) -> dict[str, Any]:
        return {"file": self.file, "unit": self.unit, "date": self.date, "blank": self.blank,
                "new": sum(1 for e in self.entries if not e.already),
                "already": sum(1 for e in self.entries if e.already),
                "rows": [e.record() for e in self.entries]}


@dataclass
class CollectReport:
    dry_run: bool
    forms: list[ReturnedForm] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    written: bool = False
    returned: dict[str, list[str]] = field(default_factory=dict)  # date → units that returned
    missing: dict[str, list[str]] = field(default_factory=dict)  # date → units sent a form that did not

    def record(self) -> dict[str, Any]:
        return {"dry_run": self.dry_run, "written": self.written, "forms": [f.record() for f in self.forms],
                "problems": list(self.problems),
                "dates": [{"date": d, "returned": self.returned.get(d, []), "missing": self.missing.get(d, [])}
                          for d in sorted(set(self.returned) | set(self.missing))]}


# -- reading ----------------------------------------------------------------------------------------


def _meta(book: Any, path: Path) -> dict[str, str]:
    if META_SHEET not in book.names or FORM_SHEET not in book.names:
        raise InvalidInput(f"{path.name} 不是 duban 发出的反馈表（缺少“{META_SHEET}”或“{FORM_SHEET}”工作表）")
    found = {}
    for _, values in book.sheet(META_SHEET).rows:
        if len(values) >= 2 and cell_text(values[0]):
            found[cell_text(values[0])] = cell_text(values[1])
    return found


def _percent(value: object) -> int:
    text = cell_text(value).rstrip("%％").strip()
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"完成百分比“{cell_text(value)}”不是数字（应为 0 到 100 的整数）") from None
    if not number.is_integer() or not 0 <= number <= 100:
        raise ValueError(f"完成百分比“{cell_text(value)}”应为 0 到 100 的整数")
    return int(number)


def read_form(ledger: "Ledger", path: Path, identity: str) -> tuple[ReturnedForm | None, list[str]]:
    """One returned form → its filled rows, checked against the ledger; problems in Chinese."""
    from .sheet_reader import Workbook

    book = Workbook(path)
    try:
        meta = _meta(book, path)
        if meta.get("台账标识") != identity:
            office = meta.get("督查机构") or "另一个台账"
            raise InvalidInput(f"{path.name} 是另一个台账（{office}）发出的反馈表，不是本台账的，不能收入")
        unit_name = meta.get("单位", "")
        try:
            unit = ledger.unit(unit_name)
        except NotFound:
            raise InvalidInput(f"{path.name} 是发给“{unit_name}”的反馈表，本台账没有这个单位") from None
        date = meta.get("发出日期", "")
        form = ReturnedForm(path.name, unit.name, unit.id, date)
        rows = book.sheet(FORM_SHEET).rows
    finally:
        book.close()
    header_at, cols = None, {}
    for index, values in rows[:10]:
        texts = [cell_text(v) for v in values]
        if "事项编号" in texts and "本期进展" in texts:
            header_at, cols = index, {t: i for i, t in enumerate(texts) if t}
            break
    if header_at is None:
        raise InvalidInput(f"{path.name} 的“{FORM_SHEET}”工作表中找不到表头（事项编号、本期进展……）")
    problems: list[str] = []

    def cell(values: tuple, name: str) -> object:
        i = cols.get(name)
        return values[i] if i is not None and i < len(values) else None

    year = ledger.today.year
    for index, values in rows:
        if index <= header_at:
            continue
        where = f"{path.name} 第{index}行"
        filled = {n: cell(values, n) for n in ("本期进展", "完成百分比", "是否办结", "办结情况", "申请延期至", "延期理由")}
        if not any(cell_text(v) for v in filled.values()):
            if cell_text(cell(values, "事项编号")):
                form.blank += 1
            continue
        try:
            item_id = int(float(cell_text(cell(values, "事项编号"))))
        except ValueError:
            problems.append(f"{where}：事项编号“{cell_text(cell(values, '事项编号'))}”不是编号")
            continue
        entry = FormEntry(item_id, index, person=cell_text(cell(values, "填报人")) or None,
                          phone=cell_text(cell(values, "联系电话")) or None)
        entry.progress = cell_text(filled["本期进展"]) or None
        if cell_text(filled["完成百分比"]):
            try:
                entry.percent = _percent(filled["完成百分比"])
            except ValueError as exc:
                problems.append(f"{where}：{exc}")
            if entry.progress is None:
                problems.append(f"{where}：填写了完成百分比，请同时填写本期进展")
        done = cell_text(filled["是否办结"])
        if done not in ("", "是", "否"):
            problems.append(f"{where}：是否办结应为“是”或“否”，收到“{done}”")
        entry.done = done == "是"
        entry.result = cell_text(filled["办结情况"]) or None
        if entry.done and not entry.result:
            problems.append(f"{where}：是否办结为“是”，请写明办结情况")
        to_value, reason = filled["申请延期至"], cell_text(filled["延期理由"]) or None
        if cell_text(to_value):
            try:
                entry.extend_to = parse_day(to_value, year)
            except DateProblem as exc:
                problems.append(f"{where}：申请延期至 {exc.message}")
            if reason is None:
                problems.append(f"{where}：申请延期，请写明延期理由")
        elif reason is not None:
            problems.append(f"{where}：写了延期理由，请同时填写申请延期至的日期")
        entry.extend_reason = reason
        if entry.done and entry.extend_to:
            problems.append(f"{where}：同一行不能既办结又申请延期")
        entry.fingerprint = hashlib.sha1(json.dumps(
            [identity, unit.id, date, item_id, entry.progress, entry.percent, entry.done, entry.result,
             entry.extend_to.isoformat() if entry.extend_to else None, entry.extend_reason],
            ensure_ascii=False).encode()).hexdigest()[:24]
        # A row collected before is not checked against today's state: its own 办结 or 延期 has changed
        # that state, and collecting the same file again must say "已收过", not refuse it.
        if not _already(ledger, entry.fingerprint):
            problems.extend(f"{where}：{p}" for p in _check_item(ledger, unit, entry))
        form.entries.append(entry)
    return form, problems


def _check_item(ledger: "Ledger", unit: Unit, entry: FormEntry) -> list[str]:
    try:
        item = ledger._load(entry.item_id)
    except NotFound:
        return [f"事项 #{entry.item_id} 不在本台账中"]
    a = next((x for x in item.assignments if x.unit_id == unit.id), None)
    if a is None:
        return [f"事项 #{entry.item_id} 不是“{unit.name}”的事项"]
    if a.status not in (Status.OPEN, Status.PAUSED):
        return [f"事项 #{entry.item_id} 在“{unit.name}”处的状态为“{a.status.label}”，不再接收反馈"]
    found = []
    if entry.done and a.status is not Status.OPEN:
        found.append(f"事项 #{entry.item_id} 在“{unit.name}”处为“{a.status.label}”，不能办结")
    if entry.extend_to is not None:
        if a.due is not None and entry.extend_to <= a.due:
            found.append(f"申请延期至 {entry.extend_to.isoformat()} 应晚于现时限 {a.due.isoformat()}")
        elif entry.extend_to < ledger.today:
            found.append(f"申请延期至 {entry.extend_to.isoformat()} 早于今天")
    return found


# -- the whole collection -------------------------------------------------------------------------


def _already(ledger: "Ledger", fingerprint: str) -> bool:
    return ledger.db.execute("SELECT 1 FROM events WHERE json_extract(data, '$.form.row') = ? LIMIT 1",
                             [fingerprint]).fetchone() is not None


def collect(ledger: "Ledger", paths: list[Path], dry_run: bool = False) -> CollectReport:
    report = CollectReport(dry_run)
    identity = ledger_identity(ledger)
    if identity is None:
        raise InvalidInput("本台账还没有发出过反馈表")
    seen_files: dict[tuple[str, str], str] = {}
    for path in paths:
        form, problems = read_form(ledger, path, identity)
        report.problems.extend(problems)
        if form is None:
            continue
        other = seen_files.get((form.unit, form.date))
        if other is not None:
            report.problems.append(f"{path.name} 与 {other} 都是“{form.unit}”{form.date} 的反馈表，只能收一份")
        seen_files[(form.unit, form.date)] = path.name
        for entry in form.entries:
            entry.already = _already(ledger, entry.fingerprint)
        report.forms.append(form)
    if report.problems or dry_run:
        _summary(ledger, report)
        return report
    if any(not e.already for f in report.forms for e in f.entries) or _unlogged_returns(ledger, report):
        with ledger._write():
            for form in report.forms:
                _write_form(ledger, form)
    report.written = True
    _summary(ledger, report)
    return report


def _unlogged_returns(ledger: "Ledger", report: CollectReport) -> bool:
    return any(not _returned_logged(ledger, f) for f in report.forms)


def _returned_logged(ledger: "Ledger", form: ReturnedForm) -> bool:
    return ledger.db.execute(
        "SELECT 1 FROM events WHERE kind = 'form_returned' AND unit_id = ? AND json_extract(data, '$.date') = ?",
        [form.unit_id, form.date]).fetchone() is not None


def _write_form(ledger: "Ledger", form: ReturnedForm) -> None:
    unit = Unit(id=form.unit_id, name=form.unit)
    review = bool(ledger.settings["review_required"])
    for e in form.entries:
        if e.already:
            continue
        where = f"{form.file} 第{e.row}行"
        source = {"file": form.file, "date": form.date, "row": e.fingerprint, "person": e.person, "phone": e.phone}
        try:
            item = ledger._load(e.item_id)
            ledger._check_date_order(e.item_id)
            if e.progress:
                shown = f"（完成{e.percent}%）" if e.percent is not None else ""
                item = ledger._apply(item, EventKind.FEEDBACK, f"“{unit.name}”反馈进展{shown}（反馈表）：{e.progress}",
                                     unit, {"text": e.progress, "percent": e.percent, "form": source})
            if e.extend_to:
                a = next(x for x in item.assignments if x.unit_id == unit.id)
                item = ledger._apply(item, EventKind.EXTENSION_REQUESTED,
                                     f"“{unit.name}”申请延期至 {e.extend_to.isoformat()}（反馈表）：{e.extend_reason}",
                                     unit, {"to": e.extend_to.isoformat(), "reason": e.extend_reason,
                                            "from": a.due.isoformat() if a.due else None, "form": source})
            if e.done:
                a = next(x for x in item.assignments if x.unit_id == unit.id)
                on_time = a.due is None or ledger.today <= a.due
                tail = "，待审核" if review else "，销号"
                item = ledger._apply(item, EventKind.CLOSED,
                                     f"“{unit.name}”{'按期' if on_time else '逾期'}办结{tail}（反馈表）：{e.result}", unit,
                                     {"result": e.result, "review": review, "on_time": on_time,
                                      "due": a.due.isoformat() if a.due else None, "form": source})
        except DubanError as exc:
            raise type(exc)(f"{where}：{exc.message}") from None
    if not _returned_logged(ledger, form):
        ledger._log("form_returned", f"收回反馈表：“{form.unit}”（{form.file}）", unit_id=form.unit_id,
                    data={"date": form.date, "file": form.file})


def _summary(ledger: "Ledger", report: CollectReport) -> None:
    dates = sorted({f.date for f in report.forms})
    for date in dates:
        sent = _units_with(ledger, "form_sent", date)
        returned = _units_with(ledger, "form_returned", date)
        if not report.written:
            returned |= {f.unit for f in report.forms if f.date == date}
        report.returned[date] = sorted(returned)
        report.missing[date] = sorted(sent - returned)


def _units_with(ledger: "Ledger", kind: str, date: str) -> set[str]:
    rows = ledger.db.execute(
        "SELECT DISTINCT u.name FROM events e JOIN units u ON u.id = e.unit_id"
        " WHERE e.kind = ? AND json_extract(e.data, '$.date') = ?", [kind, date]).fetchall()
    return {r[0] for r in rows}
