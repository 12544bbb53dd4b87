"""催办 notices: one per unit — 提醒函, 催办通知, 督办单 or 挂牌督办通知 — as .docx and .txt.

The notice takes the highest level among the unit's reminders of the day and lists every
item with its own deadline and state. The wording follows the ladder of DOMAIN.md §6
(seeds/003:L547 预警提醒单; seeds/002 限期整改单 → 黄色警告 → 红牌); the reply date comes
from the ``reply_workdays`` setting.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .chase import Reminder, role_label, status_text
from .docx_util import cn_date
from .models import LEVEL_LABELS, NOTICE_KINDS

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
HEADERS = ["序号", "编号", "督办事项", "角色", "办理时限", "办理情况", "督办级别"]


@dataclass(frozen=True)
class Notice:
    unit: str
    contact: str | None
    phone: str | None
    level: int
    reminders: tuple[Reminder, ...]
    office: str
    today: dt.date

    @property
    def kind(self) -> str:
        return NOTICE_KINDS[self.level]

    @property
    def reply_by(self) -> dt.date:
        return min(r.reply_by for r in self.reminders)

    def body(self) -> str:
        return _BODY[self.level].format(reply=cn_date(self.reply_by), office=self.office, today=cn_date(self.today))

    def rows(self) -> list[list[str]]:
        return [[str(n), f"#{r.standing.item.id}", r.standing.item.title, role_label(r.standing.assignment),
                 (r.standing.assignment.due.isoformat() if r.standing.assignment.due else "长期"),
                 status_text(r.standing), LEVEL_LABELS[r.level]]
                for n, r in enumerate(self.reminders, 1)]

    def filename(self, suffix: str) -> str:
        from .files import bounded_name

        safe = bounded_name(re.sub(r'[\\/:*?"<>|\s\x00-\x1f]+', "_", self.unit), 90, keep_ext=False)
        return f"{self.today:%Y%m%d}-{safe}-{self.kind}{suffix}"


def group(reminders: Sequence[Reminder], office: str, today: dt.date) -> list[Notice]:
    """One notice per unit, in the order the reminders came (most behind first)."""
    by_unit: dict[int, list[Reminder]] = {}
    for r in reminders:
        by_unit.setdefault(r.standing.unit.id, []).append(r)
    notices = []
    for rs in by_unit.values():
        unit = rs[0].standing.unit
        notices.append(Notice(unit.name, unit.contact, unit.phone, max(r.level for r in rs), tuple(rs), office, today))
    return notices


def text(notice: Notice) -> str:
    """The plain-text twin: the same notice for e-mail, SMS gateways or the OA system."""
    lines = [notice.office, "", notice.kind.center(20).rstrip(), "", f"{notice.unit}：", "", "    " + notice.body(), ""]
    for row in notice.rows():
        lines.append(f"  {row[0]}. [{row[1]}] {row[2]}（{row[3]}；办理时限 {row[4]}；{row[5]}；{row[6]}）")
        reason = notice.reminders[int(row[0]) - 1].reason
        lines.append(f"     说明：{reason}")
    contact = " ".join(b for b in (notice.contact, notice.phone) if b)
    lines += ["", f"    请于{cn_date(notice.reply_by)}前反馈。"]
    if contact:
        lines.append(f"    （送达：{notice.unit}联络员 {contact}）")
    lines += ["", _right(notice.office), _right(cn_date(notice.today)), ""]
    return "\n".join(lines)


def _right(text: str, width: int = 60) -> str:
    """Right-align for a monospaced reader, counting a Chinese character as two columns."""
    shown = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
    return " " * max(0, width - shown) + text


def docx(notice: Notice, path: Path) -> Path:
    from . import docx_util as d

    doc = d.new_document()
    d.paragraph(doc, notice.office, font=d.TITLE_FONT, size=26, align="center", color=(0xC0, 0, 0), line=None,
                space_after=4)
    d.red_rule(doc)
    d.paragraph(doc, notice.kind, font=d.TITLE_FONT, size=d.SIZE_TITLE, align="center", line=None,
                space_before=12, space_after=12)
    d.paragraph(doc, f"{notice.unit}：")
    d.paragraph(doc, notice.body(), indent=True, align="justify")
    d.paragraph(doc, "")
    d.table(doc, HEADERS, notice.rows(), widths_mm=[12, 13, 49, 12, 24, 26, 20])
    d.paragraph(doc, "")
    reasons = "；".join(f"#{r.standing.item.id} {r.reason}" for r in notice.reminders)
    d.paragraph(doc, f"具体情况：{reasons}。", indent=True, align="justify", size=14, line=24)
    contact = " ".join(b for b in (notice.contact, notice.phone) if b)
    if contact:
        d.paragraph(doc, f"送达：{notice.unit}联络员 {contact}", indent=True, size=14, line=24)
    d.paragraph(doc, "")
    d.paragraph(doc, notice.office, align="right")
    d.paragraph(doc, cn_date(notice.today), align="right")
    d.page_numbers(doc)
    d.save(doc, path)
    return path


def write_all(notices: Sequence[Notice], directory: Path) -> dict[int, tuple[Path, Path]]:
    """Write each notice as .docx and .txt into ``directory``; returns unit id → (docx, txt).

    A second notice for the same unit on the same day (a level reached later in the day)
    gets a numbered name instead of replacing the first.
    """
    from .files import write_text

    written: dict[int, tuple[Path, Path]] = {}
    for notice in notices:
        base = notice.filename("")
        n = 1
        while (directory / f"{base}.docx").exists() or (directory / f"{base}.txt").exists():
            n += 1
            base = f"{notice.filename('')}-{n}"
        doc_path, txt_path = directory / f"{base}.docx", directory / f"{base}.txt"
        try:
            docx(notice, doc_path)
            write_text(txt_path, text(notice))
        except BaseException:  # the reminders are rolled back: take back the notices already written
            for pair in [*written.values(), (doc_path, txt_path)]:
                for path in pair:
                    path.unlink(missing_ok=True)
            raise
        written[notice.reminders[0].standing.unit.id] = (doc_path, txt_path)
    return written
