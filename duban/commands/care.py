"""Looking after the ledger file: ``duban check`` (integrity and domain checks) and ``duban backup``.

The work is in :mod:`duban.check`, imported inside the commands so that ``duban --help``
stays fast.
"""

# No ``from __future__ import annotations``: Typer evaluates the commands' annotations when it
# builds them, and from strings that takes a third longer (~5 ms of ``duban --help``).

import sys
from typing import Optional

import typer

from .. import render
from ..errors import UsageError
from ..render import Format
from .common import guarded, state

SEVERITY_LABELS = {"error": "错误", "warning": "警告"}
TABLE_LIMIT = 20  # rows per code in the table; json and csv list every finding


def _table(records: list[dict]):
    from rich.text import Text

    from ..render_fit import Col, Fitted

    cols = [Col("级别", 0), Col("代码", 1), Col("事项", 0, justify="right"),
            Col("单位", 2, wrap=True, min_width=6, max_width=18), Col("说明", 0, wrap=True, min_width=16)]
    rows: list[tuple] = []
    shown: dict[str, int] = {}
    for r in records:
        shown[r["code"]] = shown.get(r["code"], 0) + 1
        if shown[r["code"]] > TABLE_LIMIT:
            continue
        style = "bold red" if r["severity"] == "error" else "bold yellow"
        rows.append((Text(SEVERITY_LABELS[r["severity"]], style=style), r["code"],
                     f"#{r['item_id']}" if r["item_id"] is not None else "—", r["unit"] or "—", r["message"]))
    for code, count in shown.items():
        if count > TABLE_LIMIT:
            rows.append(("", code, "", "", f"……另有 {count - TABLE_LIMIT} 条同类问题（用 --format json 或 csv 查看全部）"))
    return Fitted(cols, rows, f"检查发现的问题（{len(records)}项）")


def check(
    quick: bool = typer.Option(False, "--quick", help="快速检查：用 quick_check，不按记录重放核对每个事项（大台账的日常检查）"),
    sample: Optional[int] = typer.Option(None, "--sample", help="只随机抽取 N 个事项按记录重放核对"),
    fmt: Format = typer.Option(Format.table, "--format", help="输出格式：table（表格）、json 或 csv"),
) -> None:
    """检查台账：SQLite 完整性检查，以及交办、记录、办结情况、时限、日历、设置和按记录重放的核对。

    并逐条核对留痕链（每条记录的哈希连同前一条的哈希），报告第一处断开，汇总行打印链头（记录数和哈希）。

    每个问题给出固定的英文代码、级别（error 错误 / warning 警告）、涉及的事项和单位及中文说明。
    有错误时退出码为 1；只有警告时照常列出，退出码为 0。文件损坏或不是台账时报告错误、退出码 1。
    默认按记录重放核对每个事项（百万级台账需数分钟）；--quick 跳过重放，--sample N 只抽查 N 项。

    示例：duban check；duban check --quick --format json；duban check --sample 1000
    """
    from ..check import check_ledger

    if sample is not None and sample < 1:
        raise UsageError(f"--sample 应为正整数，收到 {sample}")
    st = state()
    report = check_ledger(st.db_path, today=st.today, quick=quick, sample=sample)
    records = [p.record() for p in report.problems]
    if fmt is Format.table:
        if records:
            render.console().print(_table(records))
        render.console().print(report.summary())
    else:
        from ..check import RECORD_KEYS

        if fmt is Format.json:
            render.write_json(records)
        else:
            render.write_csv(records, RECORD_KEYS)
        sys.stderr.write(report.summary() + "\n")
    if report.errors:
        raise typer.Exit(1)


def backup(
    dest: Optional[str] = typer.Argument(
        None, metavar="DEST",
        help="备份文件或目录；省略时在台账旁生成“台账名-年月日-时分秒.db”，给出目录时在该目录中生成同样的文件名"),
) -> None:
    """在线备份台账：用 SQLite 备份接口取得一致的副本（其他程序可同时写入），核对完整性后原子地放到位。

    备份文件权限为 0600，是单个独立的 SQLite 文件，可直接用 duban --db 备份文件 打开。

    示例：duban backup；duban backup /mnt/nas/督办备份/；duban --db 台账.db backup 台账-月底.db
    """
    from ..backup import backup as run_backup

    st = state()
    result = run_backup(st.db_path, dest, today=st.today)
    render.console().print(f"已备份到 {result.path}（事项 {result.items} 项，记录 {result.events} 条，已通过完整性检查）")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("check")(guarded(check))
    app.command("backup")(guarded(backup))
