"""The units' 反馈表, going out: one workbook per unit listing its open assignments, with the
columns it fills (``duban form``; reading them back is :mod:`duban.form_collect`).

Units re-type the same progress into a different table for every office (seeds/003 L837
「要数据、报资料、写总结」, L1025); one form per unit, read back by duban, replaces that.

The workbook (openpyxl, imported here only):

* sheet ``反馈表``: a title, a one-line instruction, the header (repeated on every printed
  page, A4 landscape), one row per open assignment. The given columns (事项编号 … 上次反馈)
  are locked by sheet protection **without a password** — WPS and Excel users cannot break
  them by accident, and nobody is locked out; the columns the unit fills are unlocked, with
  validation: 完成百分比 a whole number 0–100, 是否办结 a 是/否 dropdown, 申请延期至 a date.
* sheet ``表单信息`` (hidden): the ledger's identity, the unit and the issue date, which
  ``duban collect`` checks before reading anything.

Sending records one ledger-level ``form_sent`` event per unit (item_id NULL, the unit's id,
data ``{date, file}``), in one transaction; the files are written after it commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InvalidInput
from .models import Role, Status

if TYPE_CHECKING:
    from .ledger import Ledger

FORM_SHEET = "反馈表"
META_SHEET = "表单信息"
FORM_FORMAT = "duban 反馈表 1"
GIVEN = ("事项编号", "事项", "角色", "办理时限", "剩余/逾期工作日", "上次反馈")
FILLED = ("本期进展", "完成百分比", "是否办结", "办结情况", "申请延期至", "延期理由", "填报人", "联系电话")
HEADER_ROW = 3
WIDTHS = (7, 26, 5, 11, 8, 20, 26, 7, 7, 20, 11, 18, 8, 12)
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def ledger_identity(ledger: "Ledger") -> str | None:
    """A stable identity of this ledger (its first event's stamp, hashed): the same in every
    copy and backup of it, different for another ledger. None before anything is recorded."""
    row = ledger.db.execute("SELECT id, logged_at, kind, detail FROM events ORDER BY id LIMIT 1").fetchone()
    if row is None:
        return None
    return hashlib.sha1("\x1f".join(str(v) for v in row).encode()).hexdigest()[:20]


def form_file_name(unit: str, day: dt.date) -> str:
    """``<单位>-反馈表-<日期>.xlsx``, with characters no file system takes replaced and the unit's
    name bounded (a stable short hash keeps two long names apart)."""
    name = _UNSAFE.sub("_", unit).strip(" .") or "单位"
    if len(name) > 40:
        name = f"{name[:32]}-{hashlib.sha1(unit.encode()).hexdigest()[:6]}"
    return f"{name}-反馈表-{day.isoformat()}.xlsx"


@dataclass
class FormRow:
    item_id: int
    title: str
    role: Role
    due: dt.date | None
    left: int | str | None  # 剩余 (positive) / 逾期 (negative) working days, or words
    last: str  # 上次反馈


@dataclass
class Form:
    unit_id: int
    unit: str
    rows: list[FormRow] = field(default_factory=list)


def forms_for(ledger: "Ledger", units: list[str]) -> list[Form]:
    """One form per unit with open assignments (the named units, or every unit), rows by item id."""
    wanted = {ledger.unit(u).id for u in units} if units else None
    by_unit: dict[int, Form] = {}
    last = _last_feedback(ledger)
    for view in ledger.list_items():
        item = view.item
        for a in item.assignments:
            if a.status not in (Status.OPEN, Status.PAUSED) or (wanted is not None and a.unit_id not in wanted):
                continue
            light = ledger.assignment_light(item, a)
            form = by_unit.setdefault(a.unit_id, Form(a.unit_id, a.unit))
            form.rows.append(FormRow(item.id, item.title, a.role, a.due, _left(light),
                                     last.get((item.id, a.unit_id), "")))
    if wanted is not None:
        for unit in units:
            u = ledger.unit(unit)
            if u.id not in by_unit:
                raise InvalidInput(f"单位“{u.name}”没有在办的事项，不需要反馈表")
    forms = sorted(by_unit.values(), key=lambda f: f.unit)
    for f in forms:
        f.rows.sort(key=lambda r: r.item_id)
    return forms


def _left(light: Any) -> int | str | None:
    if light.light is None:
        return None
    if light.overdue_workdays:
        return -light.overdue_workdays
    if light.workdays_left is None:
        return "长期"
    return light.workdays_left


def _last_feedback(ledger: "Ledger") -> dict[tuple[int, int], str]:
    """(item, unit) → "2026-11-18：已完成设计（60%）", the unit's own latest progress report."""
    import json

    rows = ledger.db.execute(
        """SELECT item_id, unit_id, at, data FROM events WHERE id IN (
               SELECT max(id) FROM events WHERE kind = 'feedback' AND item_id IS NOT NULL GROUP BY item_id, unit_id)"""
    ).fetchall()
    found = {}
    for item_id, unit_id, at, data in rows:
        d = json.loads(data or "{}")
        percent = f"（{d['percent']}%）" if d.get("percent") is not None else ""
        found[(item_id, unit_id)] = f"{at}：{d.get('text') or ''}{percent}"
    return found


def send(ledger: "Ledger", units: list[str], out: Path) -> list[tuple[Form, Path]]:
    """Record ``form_sent`` for each unit (one transaction), then write the workbooks into ``out``."""
    from .files import ensure_dir

    identity = ledger_identity(ledger)
    forms = forms_for(ledger, units)
    if not forms or identity is None:
        raise InvalidInput("没有在办的事项，不需要反馈表")
    day = ledger.today
    paths = [(f, out / form_file_name(f.unit, day)) for f in forms]
    for _, path in paths:
        if path.exists() and not path.is_file():
            raise InvalidInput(f"{path} 已存在且不是文件")
    with ledger._write():
        for form, path in paths:
            ledger._log("form_sent", f"发出反馈表：“{form.unit}”{len(form.rows)}项（{path.name}）", unit_id=form.unit_id,
                        data={"date": day.isoformat(), "file": path.name})
    ensure_dir(out)
    office = ledger.settings["office_name"]
    for form, path in paths:
        write_form(path, form, identity, office, day)
    return paths


def write_form(path: Path, form: Form, identity: str, office: str, day: dt.date) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from .xlsx_cells import clean_text
    from .files import atomic_path

    wb = Workbook()
    ws = wb.active
    ws.title = FORM_SHEET
    columns = GIVEN + FILLED
    last_col = get_column_letter(len(columns))
    ws.append([clean_text(f"{office}督办事项反馈表（{form.unit}，{day.year}年{day.month}月{day.day}日发）")])
    ws.merge_cells(f"A1:{last_col}1")
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["请只填写浅黄色各列：有进展写“本期进展”（可填完成百分比 0–100）；已办结的“是否办结”选“是”并写明办结情况；"
               "需延期的写“申请延期至”（日期）和延期理由。其余各列不能修改。"])
    ws.merge_cells(f"A2:{last_col}2")
    ws["A2"].alignment = Alignment(wrap_text=True)
    ws.row_dimensions[2].height = 30
    ws.append(list(columns))
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    fill_fill = PatternFill("solid", fgColor="FFF2CC")
    for col in range(1, len(columns) + 1):
        cell = ws.cell(HEADER_ROW, col)
        cell.font = Font(bold=True)
        cell.fill = fill_fill if col > len(GIVEN) else header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = WIDTHS[col - 1]
    unlocked = Protection(locked=False)
    for row in form.rows:
        role = "牵头" if row.role is Role.LEAD else "配合"
        ws.append([row.item_id, clean_text(row.title), role, row.due or "长期", row.left, clean_text(row.last)])
        r = ws.max_row
        if row.due is not None:
            ws.cell(r, 4).number_format = "yyyy-mm-dd"
        for col in range(1, len(columns) + 1):
            cell = ws.cell(r, col)
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            if col > len(GIVEN):
                cell.protection = unlocked
                cell.fill = fill_fill
        ws.cell(r, len(GIVEN) + FILLED.index("申请延期至") + 1).number_format = "yyyy-mm-dd"
    first, last = HEADER_ROW + 1, max(ws.max_row, HEADER_ROW + 1)

    def col_of(name: str) -> str:
        return get_column_letter(columns.index(name) + 1)

    percent = DataValidation(type="whole", operator="between", formula1="0", formula2="100", allow_blank=True,
                             showErrorMessage=True, errorTitle="完成百分比", error="请填写 0 到 100 之间的整数")
    done = DataValidation(type="list", formula1='"是,否"', allow_blank=True, showErrorMessage=True,
                          errorTitle="是否办结", error="请选择“是”或“否”")
    serial = (day - dt.date(1899, 12, 30)).days
    to = DataValidation(type="date", operator="greaterThanOrEqual", formula1=str(serial), allow_blank=True,
                        showErrorMessage=True, errorTitle="申请延期至", error="请填写今天以后的日期，如 2026-12-31")
    for dv, name in ((percent, "完成百分比"), (done, "是否办结"), (to, "申请延期至")):
        ws.add_data_validation(dv)
        dv.add(f"{col_of(name)}{first}:{col_of(name)}{last}")
    ws.freeze_panes = f"C{first}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.protection.sheet = True  # no password: a guard against slips, not a lock
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    meta = wb.create_sheet(META_SHEET)
    for key, value in (("台账标识", identity), ("单位", form.unit), ("发出日期", day.isoformat()),
                       ("格式", FORM_FORMAT), ("督查机构", office)):
        meta.append([key, clean_text(value)])
    meta.sheet_state = "hidden"
    meta.protection.sheet = True
    wb.active = 0
    with atomic_path(path, 0o600) as tmp:
        wb.save(tmp)
