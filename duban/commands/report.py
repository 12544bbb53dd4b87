"""``duban report weekly | stats | ranking``: the 专报, the numbers, the quarterly ranking."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from .. import render
from ..errors import UsageError
from ..render import Format
from .common import guarded, ledger, parse_date

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import RenderableType

# duban.reports, duban.rules and Rich are imported inside the commands: listing the
# commands (duban --help) does not load them.

report_app = typer.Typer(
    help="督查专报与统计考核。\n\n示例：duban report weekly --out 专报；duban report stats --by unit；"
    "duban report ranking --quarter 2026Q4",
    no_args_is_help=True,
)


def stats_keys() -> list[str]:
    """The ``report stats`` record keys (the CSV columns)."""
    from .. import reports

    return ("group total closed closed_on_time closed_late open overdue on_track completion_rate on_time_rate"
            " progress_rate satisfaction_rate " + " ".join(reports.EVENT_COUNTS)).split()


@report_app.command("stats")
@guarded
def stats_command(
    start: Optional[str] = typer.Option(None, "--from", help="统计起始日期（默认：建账以来）"),
    end: Optional[str] = typer.Option(None, "--to", help="统计截止日期（默认：今天）"),
    by: Optional[str] = typer.Option(None, "--by", help="分组：unit（按牵头单位）或 source（按立项依据）"),
    fmt: Format = typer.Option(Format.table, "--format", help="输出格式：table（表格）、json 或 csv"),
    rollup: bool = typer.Option(False, "--rollup", help="与 --by unit 合用：每个上级单位另加一行“（含下级）”合计其全部下级单位"),
) -> None:
    """统计：办结率、按期办结率、序时推进率、满意率，及催办、督办单、挂牌督办、约谈、问责、延期、重启次数。

    范围：截止日前已交办、且未在起始日前办结的牵头事项（已撤销的不计）；次数为期间内的记录。
    办结率 = 办结 ÷ 全部；按期办结率 = 在时限内办结 ÷ 办结；序时推进率 =（正常推进 + 已办结）÷ 全部；
    满意率 =（满意 + 基本满意）÷ 回访。

    --rollup（与 --by unit 合用）：单位按 duban unit add --parent 的上下级（社区→街道→区）逐级汇总，
    每个上级单位另加一行“名称（含下级）”（JSON 中 rollup 为 true、unit 为该单位），各单位自己的行保留，
    “全部”中每项只算一次。

    示例：duban report stats --by unit；duban report stats --from 2026-10-01 --to 2026-12-31 --format json；
    duban report stats --by unit --rollup
    """
    from .. import reports

    if by is not None and by not in ("unit", "source"):
        raise UsageError(f"--by 应为 unit 或 source，收到“{by}”")
    if rollup and by != "unit":
        raise UsageError("--rollup 须与 --by unit 合用")
    led = ledger()
    period = reports.span(parse_date(start, "--from"), parse_date(end, "--to"), led.today)
    groups = reports.stats(led, period, by)
    if rollup:
        from ..unit_tree import rolled_up

        records = [{**g.record(), "unit": unit or g.group, "rollup": unit is not None}
                   for g, unit in rolled_up(groups, led.units())]
    else:
        records = [g.record() for g in groups]
    title = f"督办统计（{period.text()}，按{'单位' if by == 'unit' else '立项依据' if by == 'source' else '全部'}）"
    render.emit(fmt, records, lambda: stats_table(records, title),
                keys=stats_keys() + (["unit", "rollup"] if rollup else []))


def stats_table(records: list[dict], title: str, width: int | None = None) -> RenderableType:
    """The stats fitted to the terminal (render_fit): 分组 wraps, the rarer counts drop first, with a note."""
    from .. import reports
    from ..render_fit import Col, fitted_table
    from ..rules import percent_text as pct

    # rank (0 kept longest): the group and the item counts first, then the rates, then the measures taken
    cols = [Col("分组", 0, wrap=True, min_width=8, max_width=24)] + [
        Col(h, rank, justify="right") for h, rank in (
            ("事项", 1), ("已办结", 2), ("按期", 7), ("逾期", 3), ("办结率", 4), ("按期办结率", 5), ("序时推进率", 6),
            ("满意率", 8), ("催办", 9), ("督办单", 10), ("挂牌", 11), ("约谈", 12), ("问责", 13), ("延期", 14),
            ("重启", 15))]
    rows = [[r["group"], str(r["total"]), str(r["closed"]), str(r["closed_on_time"]), str(r["overdue"]),
             pct(r["completion_rate"]), pct(r["on_time_rate"]), pct(r["progress_rate"]),
             pct(r["satisfaction_rate"]), str(r["reminders"]), str(r["notices"]), str(r["listed"]),
             str(r["interviews"]), str(r["accountability"]), str(r["extensions"]), str(r["reopened"])]
            for r in records]
    ends = {n for n, r in enumerate(records) if r["group"] == reports.ALL}
    return fitted_table(cols, rows, width or render.console().width, title=title, section_ends=ends)


RANKING_KEYS = ("rank", "unit", "role", "score", "board", "gained", "lost", "details")


@report_app.command("ranking")
@guarded
def ranking_command(
    quarter: Optional[str] = typer.Option(None, "--quarter", help="季度，如 2026Q4（默认：本季度）"),
    fmt: Format = typer.Option(Format.table, "--format", help="输出格式：table（表格）、json 或 csv"),
) -> None:
    """计公分排名：按台账设置中的计分办法（score_*）给各单位打分，牵头单位、配合单位分开排名，列出红榜、黑榜和失分明细。

    加分：按期办结、通报表扬；扣分：逾期办结、每逾期一个工作日（暂缓期间不计）、期末进展反馈逾期、被催办、
    督办单、挂牌督办、约谈、通报批评、问责、反弹（回访不满意后重启）。逾期一经发生即计入当期，事后重启不抵消；
    同一事项、同一单位、同一天的同一督办措施只计一次。分值用 duban rules set score_xxx 调整。

    示例：duban report ranking --quarter 2026Q4；duban report ranking --format json
    """
    from rich.table import Table

    from .. import reports, scoring
    from ..render_fit import Col, Fitted

    led = ledger()
    period = reports.quarter(quarter, led.today)
    scores = scoring.ranking(led, period)
    records = [s.record() for s in scores]
    if fmt is not Format.table:
        render.emit(fmt, records, lambda: Table(), keys=RANKING_KEYS)
        return
    out = render.console()
    if not scores:
        out.print(f"{period.label}（{period.text()}）没有可排名的单位")
        return
    for role, label in scoring.ROLE_LABELS.items():
        group = [s for s in scores if s.role == role]
        if not group:
            continue
        cols = [Col("名次", 0, justify="right"), Col("单位", 0, wrap=True, min_width=8, max_width=18),
                Col("得分", 0, justify="right"), Col("榜", 1), Col("加分", 2, wrap=True, min_width=12),
                Col("失分", 1, wrap=True, min_width=14)]
        rows = [(str(s.rank), s.unit, f"{s.score:g}", s.board or "",
                 "；".join(f"{g['reason']}{g['count']}×{_g(g['points'] / g['count'])}" for g in s.gained) or "—",
                 "；".join(f"{x['reason']}{x['count']}（{x['points']:g}）" for x in s.lost) or "—") for s in group]
        out.print(Fitted(cols, rows,
                         f"{period.label} 计公分排名·{label}（{period.text()}，基础分{led.settings['score_base']}）"))
        for s in group:
            if s.details:
                out.print(f"{s.unit}（{label}）失分明细：" + "；".join(s.details))


def _g(value: float) -> str:
    return f"+{value:g}" if value > 0 else f"{value:g}"


@report_app.command("weekly")
@guarded
def weekly_command(
    week: Optional[str] = typer.Option(None, "--week", help="ISO 周，如 2026-W47（默认：本周）"),
    out: Path = typer.Option(Path("."), "--out", help="输出目录（不存在时创建）"),
    issue: Optional[int] = typer.Option(None, "--issue", help="指定期号（首次使用时接续已发的期号；之后自动递增）"),
    refresh: bool = typer.Option(False, "--refresh", help="已印发的一期按今天的台账重算（默认按原统计截止日重新生成）"),
    renumber: bool = typer.Option(False, "--renumber", help="与 --issue 一起使用：给已印发的一期改用新的期号"),
) -> None:
    """督查专报：生成本周的《督查专报》Word 文档和同期台账 Excel。

    内容：报头（督查专报、第N期、发文机构和日期）；一、总体情况；二、亮灯情况；三、各单位办理情况（按本季度
    计公分排序）；四、存在问题；五、下步工作；版记。期号保存在台账中：新的一周取下一期；已印发的一周重新生成时
    沿用原期号、原统计时段和截止日，数字与原期相同（--refresh 按今天重算）。期号按截止日所在年度编排，
    “今年以来”的数字也按这一年度统计。文档和台账都写成后才占用期号。

    示例：duban report weekly --out 专报；duban report weekly --week 2026-W47 --issue 47
    """
    from .. import files, report_issues, weekly_doc
    from .. import reports, weekly as weekly_data
    from ..exporter import write_ledger_xlsx
    from ..rules import percent_text as pct

    led = ledger()
    period = reports.week(week, led.today)
    if issue is not None and not 1 <= issue <= 9999:
        raise UsageError(f"--issue 应在 1 到 9999 之间，收到 {issue}")
    plan = report_issues.plan(led, "weekly", period, issue, renumber=renumber, refresh=refresh)
    directory = files.ensure_dir(out)
    period, number = plan.period, plan.number
    today = led.today
    led.today = period.end  # the report, its 台账 and their lights as they stood on the as-of date
    try:
        views = weekly_data.views_as_of(led, period.end)
        data = weekly_data.weekly(led, period, number, items={v.item.id: v.item for v in views}, year=plan.year)
        stem = f"督查专报{data.year}年第{number}期（{period.label}）"
        doc_path = directory / f"{stem}.docx"
        new_doc = not doc_path.exists()
        weekly_doc.write(data, doc_path)
        try:
            xlsx_path = write_ledger_xlsx(led, directory / f"{stem}台账.xlsx", views,
                                          title=f"{data.office}督办事项台账（{data.year}年第{number}期专报附件，"
                                                f"截至{weekly_data.cn_date(period.end)}）")
        except BaseException:
            if new_doc:  # half an issue is none: leave nothing behind
                doc_path.unlink(missing_ok=True)
            raise
    finally:
        led.today = today
    report_issues.record(led, plan)  # only now: a run that failed above used up no number
    led.warnings.extend(plan.notes)
    o = data.overall
    render.console().print(
        f"已生成督查专报 {data.year}年第{number}期（{period.text()}）：{doc_path}\n"
        f"同期台账：{xlsx_path}\n"
        f"{data.year}年以来督办{o.total}件，办结{o.closed}件（办结率{pct(o.completion_rate)}，按期办结率{pct(o.on_time_rate)}，"
        f"序时推进率{pct(o.progress_rate)}）；本周新增{data.new_items}件、办结{data.closed_this_week}件；"
        f"红灯{data.lights['red']}件、黄灯{data.lights['yellow']}件")


def _burden() -> None:
    from .burden import burden_command

    report_app.command("burden")(burden_command)


_burden()


def register(app: typer.Typer) -> None:
    """Add the ``report`` group to the root app."""
    app.add_typer(report_app, name="report")
