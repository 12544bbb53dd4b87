"""Sub-apps for the ledger's reference data: units, settings (rules) and the calendar."""

# No ``from __future__ import annotations``: Typer evaluates the commands' annotations when it
# builds them, and from strings that takes a third longer (~5 ms of ``duban --help``).

import datetime as dt
from pathlib import Path
from typing import Any, Optional

import typer

from .. import render
from .. import settings as settings_mod
from ..errors import InvalidInput, UsageError
from ..render import Format
from .common import guarded, ledger, note_past_milestones, parse_date, parse_deadline

unit_app = typer.Typer(help="责任单位：添加、列出。\n\n示例：duban unit add 市财政局 --alias 财政局；duban unit list",
                       no_args_is_help=True)
rules_app = typer.Typer(help="亮灯与时限规则（设置保存在台账中）。\n\n示例：duban rules show；duban rules set near_due_workdays 5；"
                        "duban rules preset 四色", no_args_is_help=True)
milestone_app = typer.Typer(help="事项节点：设定、完成。未按期完成的节点亮红灯。\n\n示例：duban milestone add 12 2026-12-15 完成招标；"
                           "duban milestone done 12 1", no_args_is_help=True)
calendar_app = typer.Typer(help="工作日日历：国务院节假日安排与台账自行录入的调整；未公布的年份按法定节假日估算。\n\n"
                           "示例：duban calendar show 2027；duban calendar import 通知.txt --dry-run；"
                           "duban calendar add-holiday 2027-01-01 --note 元旦", no_args_is_help=True)


# -- units --------------------------------------------------------------------------------


@unit_app.command("add")
@guarded
def unit_add(
    name: str = typer.Argument(..., help="单位全称"),
    alias: list[str] = typer.Option([], "--alias", help="简称，可重复（导入和命令中可用简称）"),
    parent: Optional[str] = typer.Option(None, "--parent", help="上级单位"),
    contact: Optional[str] = typer.Option(None, "--contact", help="联络员"),
    phone: Optional[str] = typer.Option(None, "--phone", help="联系电话"),
) -> None:
    """添加责任单位。

    示例：duban unit add 市住房和城乡建设局 --alias 市住建局 --alias 住建局 --contact 李明 --phone 0771-5550123
    """
    unit = ledger().add_unit(name, alias, parent, contact, phone)
    render.console().print(f"已添加单位：{unit.name}（编号 {unit.id}）")


@unit_app.command("list")
@guarded
def unit_list(fmt: Format = typer.Option(Format.table, "--format", help="输出格式：table、json 或 csv")) -> None:
    """列出全部责任单位。

    示例：duban unit list --format json
    """
    records = [render.unit_record(u) for u in ledger().units()]
    render.emit(fmt, records, lambda: render.units_table(records), empty="尚未添加任何单位（用 duban unit add 添加）",
                keys=render.UNIT_KEYS)


# -- rules (settings) ----------------------------------------------------------------------


@rules_app.command("show")
@guarded
def rules_show(fmt: Format = typer.Option(Format.table, "--format", help="输出格式：table、json 或 csv")) -> None:
    """列出全部设置项：当前值、默认值、含义和出处。

    示例：duban rules show
    """
    led = ledger()
    values, stored = led.settings, led.stored_settings()
    records = [
        {"key": key, "value": values[key], "default": s.default, "changed": key in stored, "meaning": s.meaning,
         "source": s.source}
        for key, s in settings_mod.SETTINGS.items()
    ]

    def table() -> Any:
        from ..render_fit import Col, Fitted

        cols = [Col("设置项", 0), Col("当前值", 0, wrap=True, min_width=6, max_width=20),
                Col("默认值", 2, wrap=True, min_width=6, max_width=20), Col("含义", 1, wrap=True, min_width=12),
                Col("出处", 3, wrap=True, min_width=10)]
        return Fitted(cols, [(r["key"], settings_mod.to_text(r["value"]) + (" *" if r["changed"] else ""),
                              settings_mod.to_text(r["default"]), r["meaning"], r["source"]) for r in records])

    render.emit(fmt, records, table)


@rules_app.command("set", context_settings={"ignore_unknown_options": True})
@guarded
def rules_set(
    key: str = typer.Argument(..., help="设置项名称（见 duban rules show）"),
    value: str = typer.Argument(..., help="新值"),
) -> None:
    """修改一个设置项（校验后保存到台账）。

    示例：duban rules set near_due_workdays 5；duban rules set review_required true
    """
    new = ledger().set_setting(key, value)
    render.console().print(f"已设置 {key} = {settings_mod.to_text(new)}")


@rules_app.command("preset")
@guarded
def rules_preset(name: str = typer.Argument(..., help=f"预设名称：{'、'.join(settings_mod.PRESETS)}")) -> None:
    """应用一组预设规则：三色、四色、11350（主要领导交办事项）、默认。

    示例：duban rules preset 四色；duban rules preset 11350
    """
    ledger().apply_preset(name)
    meaning = settings_mod.PRESETS[name][0]
    render.console().print(f"已应用预设“{name}”：{meaning}")


# -- milestones ------------------------------------------------------------------------------


@milestone_app.command("add")
@guarded
def milestone_add(
    item_id: int = typer.Argument(..., metavar="ID", help="事项编号"),
    day: str = typer.Argument(..., metavar="节点日期", help="节点日期（如 2026-12-15、12月底前）"),
    title: str = typer.Argument(..., metavar="节点内容", help="节点内容"),
) -> None:
    """为事项设定一个节点（阶段性目标）。

    示例：duban milestone add 12 2026-12-15 完成招标
    """
    when = parse_deadline(day, "节点日期")
    led = ledger()
    view = led.add_milestone(item_id, when, title)
    note_past_milestones(led, [when])
    seq = view.item.milestones[-1].seq
    render.console().print(f"事项 #{item_id} 已设定节点{seq}：{when.isoformat()} {title}")


@milestone_app.command("done")
@guarded
def milestone_done(
    item_id: int = typer.Argument(..., metavar="ID", help="事项编号"),
    seq: int = typer.Argument(..., metavar="N", help="节点序号（见 duban show ID）"),
) -> None:
    """标记事项的第 N 个节点已完成。

    示例：duban milestone done 12 1
    """
    ledger().complete_milestone(item_id, seq)
    render.console().print(f"事项 #{item_id} 的节点{seq}已完成")


# -- calendar ------------------------------------------------------------------------------


@calendar_app.command("show")
@guarded
def calendar_show(
    year: int = typer.Argument(..., help="年份"),
    fmt: Format = typer.Option(Format.table, "--format", help="输出格式：table、json 或 csv"),
) -> None:
    """显示某年的节假日和调休上班日，并说明该年安排是否已收录。

    示例：duban calendar show 2026
    """
    cal = ledger().calendar
    from .. import clock

    if clock.out_of_range(year):
        raise InvalidInput(f"年份 {year} 超出范围（应在 {clock.FIRST_YEAR}–{clock.LAST_YEAR} 之间）")
    records = [{"date": d.isoformat(), "workday": w, "description": text} for d, w, text in cal.special_days(year)]
    if fmt is not Format.table:
        render.emit(fmt, records, lambda: None)
        return
    from rich.table import Table

    out = render.console()
    if cal.covered(year):
        out.print(f"{year}年：节假日安排已收录，共 {sum(not r['workday'] for r in records)} 个工作日内放假日、"
                  f"{sum(r['workday'] for r in records)} 个调休上班日。")
    elif cal.estimated(year):
        out.print(f"{year}年：节假日安排尚未收录，按《全国年节及纪念日放假办法》的法定节假日及补假估算（调休未知）；"
                  "收到国务院办公厅通知后请用 duban calendar import 通知.txt 录入。")
    else:
        out.print(f"{year}年：节假日安排未收录，按双休日计算。")
    table = Table(header_style="bold")
    for header in ("日期", "星期", "类型"):
        table.add_column(header)
    for r in records:
        day = dt.date.fromisoformat(r["date"])
        table.add_row(r["date"], "一二三四五六日"[day.weekday()], r["description"])
    if records:
        out.print(table)


def _dates(values: list[str]) -> list[dt.date]:
    return [parse_date(v, "日期") for v in values]


@calendar_app.command("add-holiday")
@guarded
def calendar_add_holiday(
    days: list[str] = typer.Argument(..., help="放假日期，可多个"),
    note: Optional[str] = typer.Option(None, "--note", help="说明，如 2027年春节"),
) -> None:
    """录入放假日期（如尚未内置的下一年度国务院安排，或地方性假日）。

    录入后，涉及该年、按“N个工作日”估算的在办时限从交办日重算（输出“重算时限 N 件”）。

    示例：duban calendar add-holiday 2027-01-01 2027-01-02 2027-01-03 --note 元旦
    """
    entry = ledger().enter_calendar([(d, False, note) for d in _dates(days)])
    render.console().print(f"已录入 {entry.count} 个放假日期")
    _print_recomputed(entry.plan, dry_run=False)


@calendar_app.command("add-workday")
@guarded
def calendar_add_workday(
    days: list[str] = typer.Argument(..., help="调休上班日期，可多个"),
    note: Optional[str] = typer.Option(None, "--note", help="说明，如 春节调休"),
) -> None:
    """录入调休上班日期（周末上班）。

    录入后，涉及该年、按“N个工作日”估算的在办时限从交办日重算（输出“重算时限 N 件”）。

    示例：duban calendar add-workday 2027-02-20 --note 春节调休
    """
    led, dates = ledger(), _dates(days)
    # a statutory day off (元旦, 春节 …) is never a make-up working day: most likely a wrong date
    was = {d: led.calendar.describe(d) for d in dates}
    entry = led.enter_calendar([(d, True, note) for d in dates])
    for d in dates:
        if was[d].startswith(("法定节假日", "节假日")):
            led.warnings.append(f"注意：{d.isoformat()} 原为{was[d]}，已按调休上班日录入；"
                                "如录错，请对照国务院办公厅通知核对（调休上班日一般是假期前后的周末）")
    render.console().print(f"已录入 {entry.count} 个调休上班日期")
    _print_recomputed(entry.plan, dry_run=False)


HOLIDAY_WORDS = {"休", "放假", "节假日", "假", "holiday", "off"}
WORKDAY_WORDS = {"班", "上班", "调休上班", "工作日", "workday", "work"}


def parse_calendar_file(path: Path) -> list[tuple[dt.date, bool, str | None]]:
    """Lines ``日期,休|班[,说明]`` (comma, tab or spaces); ``#`` starts a comment."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} 不是 UTF-8 文本文件") from None
    entries = []
    first_on: dict[dt.date, tuple[int, bool]] = {}  # day → (the line it was first read on, workday)
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = [p.strip() for p in line.replace("\t", ",").replace("，", ",").split(",")]
        if len(parts) == 1:
            parts = line.split()
        if len(parts) < 2:
            raise InvalidInput(f"{path.name} 第{number}行：应为“日期,休/班[,说明]”，收到“{raw.strip()}”")
        try:
            day = parse_date(parts[0], "日期")
        except (UsageError, InvalidInput) as exc:
            raise InvalidInput(f"{path.name} 第{number}行：{exc.message}") from None
        kind = parts[1].lower()
        if kind in HOLIDAY_WORDS:
            workday = False
        elif kind in WORKDAY_WORDS:
            workday = True
        else:
            raise InvalidInput(f"{path.name} 第{number}行：类型“{parts[1]}”应为 休 或 班")
        if day in first_on:
            earlier, was = first_on[day]
            if was != workday:
                raise InvalidInput(f"{path.name} 第{number}行：{day.isoformat()} 与第{earlier}行矛盾"
                                   f"（第{earlier}行为{'班' if was else '休'}，此行为{'班' if workday else '休'}）")
            continue  # the same day again, the same way: already read
        first_on[day] = (number, workday)
        entries.append((day, workday, parts[2] if len(parts) > 2 and parts[2] else None))
    if not entries:
        raise InvalidInput(f"{path.name} 中没有日期")
    return entries


def _print_recomputed(plan, dry_run: bool, out=None) -> None:
    """The deadlines a calendar entry recounts: "重算时限 N 件" and one line each."""
    out = out or render.console()
    done = plan.recomputed if dry_run else plan.written
    if not done and not plan.confirmed:
        return
    verb = "将重算时限" if dry_run else "重算时限"
    said = f"{verb} {len(done)} 件"
    if plan.confirmed:
        said += f"（另有 {plan.confirmed} 件重算后时限不变，“时限待核”标记取消）"
    out.print(said)
    for r in done:
        out.print(f"  {r.text}（交办 {r.assignment.assigned_on.isoformat()} 起{r.assignment.within}个工作日）")


def _read_calendar_text(file: Path, year: Optional[int]):
    """Entries and a description: the State Council's notice, or "日期,休/班[,说明]" lines."""
    from ..holiday_notice import looks_like_notice, parse_notice

    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"{file} 不是 UTF-8 文本文件") from None
    if looks_like_notice(text):
        notice = parse_notice(text, year, source=file.name)
        return notice.entries(), f"{notice.year}年节假日安排通知", [notice.year]
    entries = parse_calendar_file(file)
    if year is not None and any(d.year != year for d, _, _ in entries):
        wrong = next(d for d, _, _ in entries if d.year != year)
        raise InvalidInput(f"{file.name} 中的日期 {wrong.isoformat()} 不在 --year {year} 年内")
    return entries, "日期清单", None


@calendar_app.command("import")
@guarded
def calendar_import(
    file: Path = typer.Argument(..., help="国务院办公厅节假日安排通知的文本（原文粘贴），或每行“日期,休/班[,说明]”的文件"),
    year: Optional[int] = typer.Option(None, "--year", help="年份（通知标题中没有“关于××××年”时必须给出）"),
    dry_run: bool = typer.Option(False, "--dry-run", help="只显示读到的日期和将重算的时限，不写入台账"),
    fmt: Format = typer.Option(Format.table, "--format", help="输出格式：table 或 json（[{date, workday, note}]）"),
) -> None:
    """录入一年的放假和调休安排：读国务院办公厅关于××××年部分节假日安排的通知原文，或日期清单（全部录入或全部不录入）。

    通知可从政府网站或报纸直接复制（全角标点、有无抬头和结尾段均可），逐项读出放假时段（含其中的周末）、
    补休日和调休上班日；有读不懂的行时报错并指明该行，不写入任何内容。录入后，按“N个工作日”估算的
    在办时限自动从交办日重算（每件记一条“重算时限”记录），按日期给出的时限保留原日期，落在节假日时提示。

    示例：duban calendar import 通知.txt --dry-run；duban calendar import 通知.txt；
    duban calendar import 2027年节假日.txt（每行如 2027-01-01,休,元旦 或 2027-02-20,班,春节调休）
    """
    if fmt is Format.csv:
        raise UsageError("calendar import 只支持 table 或 json 格式")
    if not file.is_file():
        raise InvalidInput(f"找不到文件：{file}")
    entries, what, years = _read_calendar_text(file, year)
    entry = ledger().enter_calendar(entries, dry_run=dry_run, years=years)
    out = render.console(stderr=True) if fmt is Format.json else render.console()
    if fmt is Format.json:
        render.write_json([{"date": d.isoformat(), "workday": w, "note": n} for d, w, n in entries])
    else:
        from rich.table import Table

        off = sum(not w for _, w, _ in entries)
        out.print(f"读到{what}：放假 {off} 天、调休上班 {len(entries) - off} 天（{file.name}）")
        table = Table(header_style="bold")
        for header in ("日期", "星期", "安排", "说明"):
            table.add_column(header)
        for d, w, n in entries:
            table.add_row(d.isoformat(), "一二三四五六日"[d.weekday()], "上班" if w else "放假", n or "")
        out.print(table)
    _print_recomputed(entry.plan, dry_run, out)
    if dry_run:
        out.print("（试运行：未写入台账）")
    else:
        out.print(f"已录入 {entry.count} 个日期（{file.name}）")


def register(app: typer.Typer) -> None:
    """Add the ``unit``, ``rules``, ``calendar`` and ``milestone`` groups to the root app."""
    app.add_typer(unit_app, name="unit")
    app.add_typer(rules_app, name="rules")
    app.add_typer(calendar_app, name="calendar")
    app.add_typer(milestone_app, name="milestone")
