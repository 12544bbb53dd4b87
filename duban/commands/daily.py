"""The daily job: ``duban overdue`` (逾期清单) and ``duban remind`` (催办), cron-friendly."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from .. import render
from ..errors import DubanError, UsageError
from ..models import LEVEL_LABELS, Channel
from ..render import Format
from ..render_daily import (
    OVERDUE_KEYS,
    REMINDER_KEYS,
    DailyFormat,
    formatted,
    overdue_markdown,
    overdue_record,
    overdue_tables,
    reminder_record,
    reprint_record,
    reminders_table,
)
from .common import guarded, ledger, parse_date

if TYPE_CHECKING:  # pragma: no cover
    from .. import chase

_SUFFIX_FORMATS = {".json": DailyFormat.json, ".csv": DailyFormat.csv, ".md": DailyFormat.md}


def overdue(
    fmt: Optional[DailyFormat] = typer.Option(
        None, "--format", help="输出格式：table（表格）、json、csv 或 md（Markdown）；默认 table，--out 时按扩展名"),
    out: Optional[str] = typer.Option(None, "--out", help="写入该文件（先写临时文件再替换，读者不会看到半个文件）"),
    exit_code: bool = typer.Option(False, "--exit-code", help="有逾期事项时以退出码 3 结束，便于定时任务报警"),
    unit: Optional[str] = typer.Option(None, "--unit", help="只列该单位的逾期事项"),
) -> None:
    """逾期清单：所有逾期（超过办理时限或节点）的在办责任单位，按单位分组。

    每项列出办理时限、逾期工作日数、催办等级、最近催办、最近反馈和单位联络员。
    顺序稳定：逾期最久的单位在前，单位内逾期最久的事项在前。

    示例：duban overdue；duban overdue --format csv --out 逾期清单.csv --exit-code
    """
    from .. import chase, files

    if out is not None:
        files.output_target(out)  # "x.csv/", a device or a FIFO: refused before any work
    led = ledger()
    rows = chase.overdue(led.standings(overdue_only=True))
    if unit:
        wanted = led.unit(unit)
        rows = [s for s in rows if s.unit.id == wanted.id]
    records = [overdue_record(s, led.today) for s in rows]
    if fmt is None:
        fmt = _SUFFIX_FORMATS.get(Path(out).suffix.lower(), DailyFormat.table) if out else DailyFormat.table
    office = led.settings["office_name"]
    text = None
    if out is not None or fmt is not DailyFormat.table:
        text = formatted(fmt, records, OVERDUE_KEYS, lambda: overdue_tables(records, led.today),
                         lambda: overdue_markdown(records, led.today, office))
    if out is not None:
        files.write_text(out, text)
        units = len({r["unit"] for r in records})
        render.console().print(f"逾期清单已写入 {out}：{len(records)}项逾期，涉及{units}个单位")
    elif text is not None:
        sys.stdout.write(text)
    elif records:
        render.console().print(overdue_tables(records, led.today))
    else:
        render.console().print(f"{led.today.isoformat()} 没有逾期事项")
    if exit_code and records:
        raise typer.Exit(3)


def remind(
    dry_run: bool = typer.Option(False, "--dry-run", help="只显示将要催办的事项，不记录、不写文件"),
    channel: Optional[str] = typer.Option(
        None, "--channel", help="催办方式：书面|电话|短信|系统（默认：有 --out 时为书面，否则为系统）"),
    out: Optional[Path] = typer.Option(None, "--out", help="把每个单位的通知（Word 与纯文本各一份）写入该目录"),
    fmt: Format = typer.Option(Format.table, "--format", help="输出格式：table（表格）、json 或 csv"),
    any_day: bool = typer.Option(False, "--any-day", help="节假日、休息日也照常催办（默认只在工作日催办）"),
    reprint: Optional[str] = typer.Option(
        None, "--reprint", metavar="DATE", help="按该日（YYYY-MM-DD）已记录的催办重新生成通知（内容、文号不变，不新增记录；须与 --out 同用）"),
) -> None:
    """催办：找出今天需要提醒、催办、下达督办单或挂牌督办的责任单位，逐一记录。

    临期的发提醒；逾期或进展反馈逾期的催办；逾期较久或多次催办仍无反馈的升级为督办单、挂牌督办。
    梯次加压：每次最多比上次催办高一级（从未催办的先发催办通知）。
    每个单位每个事项同一等级一天只记一次：同一天重复运行不会重复催办。节假日和休息日不催办（调休上班日照常）。
    已催办的，间隔 remind_interval_workdays 个工作日后再催；逾期天数跨过更高等级门槛时立即升级。
    每个单位每种通知一份、一个文号（notice_ref_prefix，如 督办〔2026〕12号），记在催办记录上；
    --out 目录下按单位生成提醒函、催办通知、督办单或挂牌督办通知（.docx 与 .txt），在记录提交之后写出；
    --reprint DATE 按该日的催办记录重新生成通知。

    示例：duban remind --dry-run；duban remind --channel 书面 --out 通知/2026-11-20；
    duban remind --reprint 2026-11-20 --out 通知/2026-11-20
    """
    led = ledger()
    if out is not None and out.exists() and not out.is_dir():
        raise UsageError(f"--out 应为目录，{out} 已存在且不是目录")
    if reprint is not None:
        if out is None:
            raise UsageError("--reprint 须与 --out 同用（给出写入通知的目录）")
        if dry_run or channel:
            raise UsageError("--reprint 只重新生成通知，不能与 --dry-run、--channel 同用")
        _reprint(led, parse_date(reprint, "--reprint"), out, fmt)
        return
    ch = Channel.parse(channel, "--channel") if channel else (Channel.WRITTEN if out else Channel.SYSTEM)
    if not any_day and not led.calendar.is_workday(led.today):
        after = led.calendar.next_workday(led.today)
        render.console(stderr=fmt is not Format.table).print(
            f"{led.today.isoformat()} {led.calendar.describe(led.today)}，不发催办；下一个工作日为 {after.isoformat()}"
            "（如需照常催办，加 --any-day）")
        if fmt is Format.json:
            render.write_json([])
        elif fmt is Format.csv:
            render.write_csv([], REMINDER_KEYS)
        return
    from .. import files

    directory = files.ensure_dir(out) if out is not None and not dry_run else None  # before anything is recorded
    reminders = led.remind(ch, dry_run=dry_run)
    written: dict[str, Path] = {}
    failure = None
    if directory is not None and reminders:
        try:
            written = _write_notices(led, [r.event_id for r in reminders], directory)
        except (OSError, DubanError) as exc:  # the reminders are recorded: --reprint writes them later
            failure = getattr(exc, "message", None) or str(exc)
    records = [reminder_record(r, ch.label, str(written[r.ref]) if r.ref in written else None) for r in reminders]
    summary = _summary(led, reminders, ch, dry_run, out if written else None, len(written), out)
    if fmt is Format.table:
        out_console = render.console()
        if records:
            title = f"{'将要' if dry_run else '今日'}催办（{led.today.isoformat()}，{ch.label}）"
            out_console.print(reminders_table(records, title))
        out_console.print(summary, soft_wrap=True)  # one line, whatever its length (cron: tail -n 1)
    else:
        render.emit(fmt, records, lambda: reminders_table(records, ""), keys=REMINDER_KEYS)
        sys.stderr.write(summary + "\n")
    if failure is not None:
        raise DubanError(f"已记录{len(reminders)}件催办，但通知写入失败：{failure}；"
                          f"请排除问题后运行 duban remind --reprint {led.today.isoformat()} --out {out} 重新生成通知")


def _write_notices(led, event_ids: list, directory: Path) -> dict[str, Path]:
    """The notices of the recorded events ``event_ids``, written into ``directory``: 文号 → .docx path."""
    from .. import documents, notices

    found = notices.write_all(documents.notices_of(led, documents.reminded_events(led, ids=event_ids)), directory)
    return {n.ref or "": pair[0] for n, pair in found}


def _reprint(led, day, out: Path, fmt: Format) -> None:
    """``remind --reprint DATE --out DIR``: the day's notices again, from its `reminded` events."""
    from .. import documents, files, notices

    events = documents.reminded_events(led, day)
    found = documents.notices_of(led, events)
    written = notices.write_all(found, files.ensure_dir(out)) if found else []
    paths = {n.ref: pair[0] for n, pair in written}
    records = [reprint_record(e, str(paths.get(e.data.get("doc_ref"), "")) or None) for e in events]
    if found:
        summary = (f"已按 {day.isoformat()} 的{len(events)}件催办记录重新生成{len(found)}份通知（Word 与纯文本），"
                   f"写入 {out}；未新增催办记录")
    else:
        summary = f"{day.isoformat()} 没有催办记录，没有可重新生成的通知"
    if fmt is Format.table:
        if records:
            render.console().print(reminders_table(records, f"{day.isoformat()} 的催办（重新生成通知）"))
        render.console().print(summary, soft_wrap=True)  # one line, whatever its length (cron: tail -n 1)
    else:
        render.emit(fmt, records, lambda: reminders_table(records, ""), keys=REMINDER_KEYS)
        sys.stderr.write(summary + "\n")


def _summary(led, reminders: list[chase.Reminder], channel: Channel, dry_run: bool, out: Path | None,
             notices: int, asked: Path | None = None) -> str:
    if not reminders:
        if dry_run:
            return "今天没有需要催办的事项（试运行）"
        count, units = documents_today(led)
        if count:
            tail = f"；如需重新生成当天的通知：duban remind --reprint {led.today.isoformat()} --out {asked or '目录'}"
            return f"今天已催办{count}件（涉及{units}个单位），没有新的需要催办的事项{tail}"
        return "今天没有需要催办的事项"
    counts = Counter(r.level for r in reminders)
    parts = "、".join(f"{LEVEL_LABELS[level]}{counts[level]}件" for level in sorted(counts))
    units = len({r.standing.unit.id for r in reminders})
    text = f"{'将' if dry_run else '已'}{channel.label}催办：{parts}，共{len(reminders)}件，涉及{units}个单位"
    if dry_run:
        return text + "（试运行：未记录，未写入任何文件）"
    if out is not None:
        text += f"；{notices}份通知（Word 与纯文本）已写入 {out}"
    return text


def documents_today(led) -> tuple[int, int]:
    from .. import documents

    return documents.reminded_today(led)


def register(app: typer.Typer) -> None:
    """Add ``overdue`` and ``remind`` to the root app."""
    app.command("overdue")(guarded(overdue))
    app.command("remind")(guarded(remind))
