"""What duban import reports: planned rows, problems, sheets, the counts — and the same
problem on many rows said once ("未找到单位“A公司”：第3–37行，共35行")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .models import Source

# -- what an import reports ---------------------------------------------------------------------


@dataclass
class Problem:
    """Something about one cell, row or sheet. ``level`` error blocks the import; note does not."""

    sheet: str
    row: int | None
    column: str | None
    cause: str
    level: str = "error"
    hint: str = ""  # what to do, said once when the same cause is grouped over many rows

    @property
    def reason(self) -> str:
        return self.cause + self.hint

    def record(self) -> dict[str, Any]:
        return {"level": self.level, "sheet": self.sheet, "row": self.row, "column": self.column,
                "reason": self.reason}


ACTION_LABELS = {"new": "新增", "progress": "更新进展", "unchanged": "已导入过，无变化", "skip": "跳过"}


@dataclass
class PlannedRow:
    sheet: str
    row: int
    action: str  # new | progress | unchanged | skip
    title: str = ""
    lead_unit: str | None = None
    co_units: list[str] = field(default_factory=list)
    due: str | None = None
    due_text: str | None = None
    long_term: bool = False
    assigned_on: str | None = None
    assigned_on_known: bool = False
    progress: str | None = None
    item_id: int | None = None
    key: str | None = None
    reason: str | None = None

    def record(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "action": self.action,
                "action_label": ACTION_LABELS[self.action], "item_id": self.item_id, "title": self.title,
                "lead_unit": self.lead_unit, "co_units": list(self.co_units), "due": self.due,
                "due_text": self.due_text, "long_term": self.long_term, "assigned_on": self.assigned_on,
                "assigned_on_known": self.assigned_on_known, "progress": self.progress, "key": self.key,
                "reason": self.reason}


@dataclass
class SheetReport:
    name: str
    imported: bool
    header_row: int | None = None
    year: int | None = None
    year_from: str | None = None  # --year | 标题 | 工作表名
    reason: str | None = None

    def record(self) -> dict[str, Any]:
        return {"name": self.name, "imported": self.imported, "header_row": self.header_row, "year": self.year,
                "year_from": self.year_from, "reason": self.reason}


@dataclass
class ImportReport:
    file: str
    dry_run: bool
    written: bool = False
    sheets: list[SheetReport] = field(default_factory=list)
    rows: list[PlannedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    new_units: list[str] = field(default_factory=list)
    blank_rows: int = 0
    placeholder_rows: int = 0  # template rows: ${data.x}, <jx:forEach …>
    prefilled_rows: int = 0  # only pre-filled values (dropdowns), no 事项 and no 单位
    hidden_rows: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def notes(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "note"]

    def counts(self) -> dict[str, int]:
        counts = {action: 0 for action in ACTION_LABELS}
        for r in self.rows:
            counts[r.action] += 1
        return {**counts, "blank": self.blank_rows, "placeholder": self.placeholder_rows,
                "prefilled": self.prefilled_rows, "hidden": self.hidden_rows, "errors": len(self.errors),
                "notes": len(self.notes), "new_units": len(self.new_units)}

    def record(self) -> dict[str, Any]:
        return {"file": self.file, "dry_run": self.dry_run, "written": self.written, "counts": self.counts(),
                "sheets": [s.record() for s in self.sheets], "new_units": list(self.new_units),
                "problems": [p.record() for p in self.problems], "rows": [r.record() for r in self.rows]}


@dataclass(frozen=True)
class ImportOptions:
    sheet: str | None = None
    year: int | None = None
    create_units: bool = False
    mapping: dict[str, str] = field(default_factory=dict)
    default_source: Source = Source.OTHER
    dry_run: bool = False


def row_spans(rows: list[int]) -> str:
    """[3, 4, 5, 9] → "第3–5、9行"."""
    rows = sorted(set(rows))
    spans: list[list[int]] = []
    for r in rows:
        if spans and r == spans[-1][1] + 1:
            spans[-1][1] = r
        else:
            spans.append([r, r])
    return "第" + "、".join(f"{a}–{b}" if b > a else f"{a}" for a, b in spans) + "行"


def _plain_hint(hint: str) -> str:
    """"，是否是：X（可先用 …）" → "是否是：X；可先用 …": a hint said after the rows, not in brackets."""
    text = hint.lstrip("，；")
    if text.endswith("）") and "（" in text:
        head, _, tail = text.partition("（")
        text = f"{head}；{tail[:-1]}" if head else tail[:-1]
    return text


def grouped(problems: list[Problem]) -> list[Problem]:
    """Problems of the same sheet, column and reason on several rows → one, naming the rows
    and their number; the first one's place in the list is kept."""
    groups: dict[tuple, list[Problem]] = {}
    for p in problems:
        groups.setdefault((p.level, p.sheet, p.column, p.cause, p.hint), []).append(p)
    out = []
    for (level, sheet, column, cause, hint), members in groups.items():
        rows = [p.row for p in members if p.row is not None]
        if len(members) == 1 or len(rows) != len(members):
            out.extend(members)
            continue
        said = f"{cause}：{row_spans(rows)}，共{len(rows)}行" + (f"；{_plain_hint(hint)}" if hint else "")
        out.append(Problem(sheet, None, column, said, level))
    return out
