"""``duban rollup LEDGER… REPORT``: stats, ranking, overdue or the screen over several ledgers, read-only."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from .. import render
from ..errors import UsageError
from ..render import Format
from .common import guarded, parse_date, state

REPORTS = ("stats", "ranking", "overdue", "screen")
# The options each report takes (besides --as-of and --format).
_ALLOWED = {"stats": {"--from", "--to", "--by"}, "ranking": {"--quarter"}, "overdue": set(),
            "screen": {"--out", "--refresh", "--by"}}


@guarded
def rollup(
    args: List[str] = typer.Argument(..., metavar="台账… 报表", help="台账文件（一个或多个），最后是报表：stats、ranking、overdue 或 screen"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="以该日期为准汇总（默认：今天，或 --today）"),
    fmt: Format = typer.Option(Format.table, "--format", help="输出格式：table（表格）、json 或 csv（stats、ranking、overdue）"),
    by: Optional[str] = typer.Option(None, "--by", help="stats：unit、source 或 ledger（每本台账一行）；screen：ledger"),
    start: Optional[str] = typer.Option(None, "--from", help="stats：统计起始日期"),
    end: Optional[str] = typer.Option(None, "--to", help="stats：统计截止日期"),
    quarter: Optional[str] = typer.Option(None, "--quarter", help="ranking：季度，如 2026Q4"),
    out: Optional[Path] = typer.Option(None, "--out", help="screen：输出的 HTML 文件"),
    refresh: int = typer.Option(300, "--refresh", help="screen：页面自动刷新间隔（秒，0 表示不刷新）"),
) -> None:
    """汇总：把多本台账（如市本级和各县区的）放在一起统计，不要求各地重复报送。

    每本台账只读打开（文件一个字节也不改，不升级、不切换日志模式），按各自的设置和日历计算；
    每行标明所属台账（机构名称 office_name，JSON 键 ledger），不同台账的同名单位分开统计；
    “全部”把各台账的事项合计（每项只算一次）。不读取 --db / DUBAN_DB。

    示例：duban rollup 市本级.db 城东区.db 城西区.db stats --by ledger；
    duban rollup 县区/*.db overdue --format json；duban rollup *.db screen --out 汇总大屏.html
    """
    from .. import clock, rollup as rollup_mod
    from .screen import check_refresh, write_screen

    report = args[-1]
    if report not in REPORTS:
        raise UsageError(f"请在台账文件之后给出报表：{'、'.join(REPORTS)}，收到“{report}”")
    paths = args[:-1]
    given = {"--from": start, "--to": end, "--by": by, "--quarter": quarter, "--out": out,
             "--refresh": None if refresh == 300 else refresh}
    for option, value in given.items():
        if value is not None and option not in _ALLOWED[report]:
            raise UsageError(f"{option} 不适用于 rollup {report}")
    if by is not None and by not in (("unit", "source", "ledger") if report == "stats" else ("ledger",)):
        raise UsageError(f"--by 应为 {'unit、source 或 ledger' if report == 'stats' else 'ledger'}，收到“{by}”")
    if report == "screen":
        if fmt is not Format.table:
            raise UsageError("--format 不适用于 rollup screen（大屏是 HTML 页面，用 --out 指定文件）")
        if out is None:
            raise UsageError("rollup screen 须用 --out 指定输出的 HTML 文件")
        check_refresh(refresh)
    today = parse_date(as_of, "--as-of") or state().today or clock.today()
    if not paths:
        raise UsageError("请至少给出一个台账文件")
    if report == "stats":
        from .report import stats_keys, stats_table

        records = rollup_mod.stats(paths, today, parse_date(start, "--from"), parse_date(end, "--to"), by)
        shown = [{**r, "group": r["group"] if r["ledger"] in (r["group"], "全部") else f"{r['ledger']}·{r['group']}"}
                 for r in records]
        render.emit(fmt, records, lambda: stats_table(shown, f"{len(paths)}本台账汇总统计（截至{today.isoformat()}）"),
                    keys=["ledger", *stats_keys()])
    elif report == "ranking":
        from .report import RANKING_KEYS

        records = rollup_mod.ranking(paths, today, quarter)
        render.emit(fmt, records, lambda: _ranking_table(records), keys=["ledger", "quarter", *RANKING_KEYS],
                    empty="没有可排名的单位")
    elif report == "overdue":
        from ..render_daily import OVERDUE_KEYS, overdue_tables

        records = rollup_mod.overdue(paths, today)
        render.emit(fmt, records, lambda: overdue_tables([{**r, "unit": f"{r['ledger']}·{r['unit']}"} for r in records],
                                                         today),
                    empty=f"{today.isoformat()} 各台账都没有逾期事项", keys=["ledger", *OVERDUE_KEYS])
    else:
        write_screen(rollup_mod.screen(paths, today, by_ledger=by == "ledger"), out, refresh)


def _ranking_table(records: list[dict]):
    from ..render_fit import Col, Fitted
    from ..scoring import ROLE_LABELS

    cols = [Col("台账", 0, wrap=True, min_width=6, max_width=16), Col("季度", 3), Col("名次", 0, justify="right"),
            Col("单位", 0, wrap=True, min_width=6, max_width=18), Col("角色", 1), Col("得分", 0, justify="right"),
            Col("榜", 2), Col("失分", 2, wrap=True, min_width=12)]
    return Fitted(cols, [(r["ledger"], r["quarter"], str(r["rank"]), r["unit"],
                          ROLE_LABELS[r["role"]].removesuffix("单位"), f"{r['score']:g}", r["board"] or "",
                          "；".join(f"{x['reason']}{x['count']}（{x['points']:g}）" for x in r["lost"]) or "—")
                         for r in records], "各台账计公分排名（名次为本台账内、同一角色内的名次）")


def register(app: typer.Typer) -> None:
    app.command("rollup")(rollup)
