"""催办 notices — 提醒函, 催办通知, 督办单, 挂牌督办通知 — and the 任务交办单/销号单, as .docx and .txt.

One notice per unit per kind: every item a notice lists is at that notice's level, so its
wording (“现予以挂牌督办”, …) is true of each of them (DOMAIN.md §6; seeds/003:L547 预警提醒单;
seeds/002 限期整改单 → 黄色警告 → 红牌). A notice is built from the recorded `reminded` events
(:func:`duban.documents.notices_of`), never from a plan, and carries its 文号; the reply date
comes from the ``reply_workdays`` setting. Files are written after the reminders are committed;
the same notice always goes to the same file name, so writing it again replaces it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .docx_util import cn_date
from .models import LEVEL_LABELS, NOTICE_KINDS

if TYPE_CHECKING:  # pragma: no cover
    from .documents import Sheet

FILE_MODE = 0o600  # government data: readable by its owner only, like the ledger

_BODY = {
    0: "你单位承办的下列督办事项临近办理时限或进展反馈即将到期，现予提醒。请对照办理时限和完成标准抓紧推进，"
       "确保按期办结，并于{reply}前将办理进展报送{office}。",
    1: "截至{today}，你单位承办的下列督办事项已超过办理时限或未按要求报送进展，现予催办。请高度重视，抓紧办理，"
       "于{reply}前将办理情况、存在问题及下步措施书面报送{office}。逾期仍未办结或未反馈的，将按程序下达督办单。",
    2: "你单位承办的下列督办事项逾期时间较长或经多次催办仍未反馈，现下达督办单。请单位主要负责同志亲自过问、"
       "专题研究，明确整改措施和完成时限，于{reply}前将办理情况书面报送{office}。逾期仍未办结的，将予以挂牌督办，"
       "并纳入督查考核。",
    3: "你单位承办的下列督办事项严重逾期，现予以挂牌督办。请单位主要负责同志亲自负责，"
       "倒排工期、限期办结，于{reply}前将办理情况及整改措施书面报送{office}。仍未按期办结的，将提请约谈有关负责同志，"
       "并予以通报、纳入考核问责。",
}
# The notice's title says the level of every item it lists: the table has no level column.
HEADERS = ["序号", "编号", "督办事项", "角色", "办理时限", "办理情况"]
WIDTHS_MM = [13, 17, 62, 13, 25, 26]  # 156 mm, the 公文 text width; no column breaks a two-character word


@dataclass(frozen=True)
class Line:
    """One item on a notice, as recorded on its `reminded` event."""

    item_id: int
    title: str
    role: str  # 牵头 | 配合
    due: str | None
    state: str  # 逾期8个工作日 / 剩余2个工作日 / …
    level: int
    reason: str


@dataclass(frozen=True)
class Notice:
    ref: str | None  # 文号; None for reminders recorded before duban numbered its documents
    unit_id: int
    unit: str
    contact: str | None
    phone: str | None
    level: int
    lines: tuple[Line, ...]
    office: str
    day: dt.date
    reply_by: dt.date

    @property
    def kind(self) -> str:
        return NOTICE_KINDS[self.level]

    def body(self) -> str:
        return _BODY[self.level].format(reply=cn_date(self.reply_by), office=self.office, today=cn_date(self.day))

    def rows(self) -> list[list[str]]:
        return [[str(n), f"#{x.item_id}", x.title, x.role, x.due or "长期", x.state]
                for n, x in enumerate(self.lines, 1)]

    def filename(self, suffix: str) -> str:
        from .files import bounded_name

        ref = f"（{self.ref}）" if self.ref else ""
        return f"{self.day:%Y%m%d}-{bounded_name(_safe(self.unit), 90, keep_ext=False)}-{self.kind}{ref}{suffix}"


def _safe(name: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s\x00-\x1f]+', "_", name)


def text(notice: Notice) -> str:
    """The plain-text twin: the same notice for e-mail, SMS gateways or the OA system."""
    lines = [notice.office, ""]
    if notice.ref:
        lines += [notice.ref.center(20).rstrip(), ""]
    lines += [notice.kind.center(20).rstrip(), "", f"{notice.unit}：", "", "    " + notice.body(), ""]
    for row, line in zip(notice.rows(), notice.lines):
        lines.append(f"  {row[0]}. [{row[1]}] {row[2]}（{row[3]}；办理时限 {row[4]}；{row[5]}；{LEVEL_LABELS[line.level]}）")
        lines.append(f"     说明：{line.reason}")
    contact = " ".join(b for b in (notice.contact, notice.phone) if b)
    lines += ["", f"    请于{cn_date(notice.reply_by)}前反馈。"]
    if contact:
        lines.append(f"    （送达：{notice.unit}联络员 {contact}）")
    lines += ["", _right(notice.office), _right(cn_date(notice.day)), ""]
    return "\n".join(lines)


def _right(text: str, width: int = 60) -> str:
    """Right-align for a monospaced reader, counting a Chinese character as two columns."""
    shown = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
    return " " * max(0, width - shown) + text


def _masthead(doc, office: str, ref: str | None) -> None:
    """红头: the office in red, the 文号 centred under it, then the red rule (GB/T 9704-2012 §7.2)."""
    from . import docx_util as d

    d.paragraph(doc, office, font=d.TITLE_FONT, size=26, align="center", color=(0xC0, 0, 0), line=None,
                space_after=4)
    if ref:
        d.paragraph(doc, ref, align="center", line=None, space_before=6)
    d.red_rule(doc)


def _signature(doc, office: str, day: dt.date, before: list) -> None:
    """落款 and date, right-aligned, never alone on a page: the paragraphs ``before`` go with them."""
    from . import docx_util as d

    parts = [*before, d.paragraph(doc, ""), d.paragraph(doc, office, align="right")]
    for p in parts:
        p.paragraph_format.keep_with_next = True
    d.paragraph(doc, cn_date(day), align="right")


def docx(notice: Notice, path: Path) -> Path:
    from . import docx_util as d

    doc = d.new_document()
    _masthead(doc, notice.office, notice.ref)
    d.paragraph(doc, notice.kind, font=d.TITLE_FONT, size=d.SIZE_TITLE, align="center", line=None,
                space_before=12, space_after=12)
    d.paragraph(doc, f"{notice.unit}：")
    d.paragraph(doc, notice.body(), indent=True, align="justify")
    d.paragraph(doc, "")
    d.table(doc, HEADERS, notice.rows(), widths_mm=WIDTHS_MM)
    d.paragraph(doc, "")
    reasons = "；".join(f"#{x.item_id} {x.reason}" for x in notice.lines)
    last = [d.paragraph(doc, f"具体情况：{reasons}。", indent=True, align="justify", size=14, line=24)]
    contact = " ".join(b for b in (notice.contact, notice.phone) if b)
    if contact:
        last.append(d.paragraph(doc, f"送达：{notice.unit}联络员 {contact}", indent=True, size=14, line=24))
    _signature(doc, notice.office, notice.day, last)
    d.page_numbers(doc)
    d.save(doc, path, mode=FILE_MODE)
    return path


def write_all(notices: Sequence[Notice], directory: Path) -> list[tuple[Notice, tuple[Path, Path]]]:
    """Write each notice as .docx and .txt into ``directory``; returns (notice, (docx, txt)) per notice.

    A notice's file name holds its date, unit, kind and 文号: writing the same notice again
    (``remind --reprint``, a rerun) replaces its own files, never adds a copy.
    """
    from .files import write_text

    written = []
    for notice in notices:
        doc_path, txt_path = directory / notice.filename(".docx"), directory / notice.filename(".txt")
        docx(notice, doc_path)
        write_text(txt_path, text(notice), mode=FILE_MODE)
        written.append((notice, (doc_path, txt_path)))
    return written


# -- 任务交办单 and 任务销号单 ------------------------------------------------------------------------


def sheet_filename(sheet: Sheet, suffix: str) -> str:
    return f"{sheet.day:%Y%m%d}-事项{sheet.item_id}-{sheet.title}（{sheet.ref}）{suffix}"


def sheet_text(sheet: Sheet) -> str:
    lines = [sheet.office, "", sheet.ref.center(20).rstrip(), "", sheet.title.center(20).rstrip(), ""]
    for label, value in sheet.rows:
        lines.append(f"{label}：{value}")
    if sheet.note:
        lines += ["", "    " + sheet.note]
    lines += ["", _right(sheet.office), _right(cn_date(sheet.day)), ""]
    return "\n".join(lines)


def sheet_docx(sheet: Sheet, path: Path) -> Path:
    from . import docx_util as d

    doc = d.new_document()
    _masthead(doc, sheet.office, sheet.ref)
    d.paragraph(doc, sheet.title, font=d.TITLE_FONT, size=d.SIZE_TITLE, align="center", line=None,
                space_before=12, space_after=12)
    d.form_table(doc, list(sheet.rows), widths_mm=[40, 116])
    d.paragraph(doc, "")
    last = [d.paragraph(doc, sheet.note, indent=True, align="justify")] if sheet.note else []
    _signature(doc, sheet.office, sheet.day, last)
    d.page_numbers(doc)
    d.save(doc, path, mode=FILE_MODE)
    return path


def write_sheet(sheet: Sheet, directory: Path) -> tuple[Path, Path]:
    from .files import write_text

    doc_path, txt_path = directory / sheet_filename(sheet, ".docx"), directory / sheet_filename(sheet, ".txt")
    sheet_docx(sheet, doc_path)
    write_text(txt_path, sheet_text(sheet), mode=FILE_MODE)
    return doc_path, txt_path
