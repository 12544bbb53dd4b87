"""duban form / collect / requests: each unit's 反馈表 out and back, and the extension requests
it brings (the work is in duban/feedback_forms.py, duban/form_collect.py and
duban/extension_requests.py)."""

# No ``from __future__ import annotations``: Typer evaluates the commands' annotations.

from pathlib import Path
from typing import Any, List

import typer

from ..render import Format
from .common import guarded, ledger


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""

    @app.command("form")
    @guarded
    def form(
        units: List[str] = typer.Option([], "--unit", help="只为该单位生成（可重复；默认每个有在办事项的单位）"),
        out: Path = typer.Option(Path("."), "--out", help="反馈表写入的目录（默认当前目录）"),
    ) -> None:
        """反馈表：为每个单位生成一份 Excel 反馈表，列出其在办事项，单位填写后用 duban collect 收回。

        文件名为“<单位>-反馈表-<日期>.xlsx”。已给出的各列锁定（工作表保护，无密码），单位只填
        本期进展、完成百分比（0–100）、是否办结（是/否）、办结情况、申请延期至（日期）、延期理由、
        填报人、联系电话。A4 横向打印，每页重复表头。每发出一份记一条 form_sent 记录。

        示例：duban form --out 反馈表/2026-11-20；duban form --unit 市财政局 --unit 市住建局
        """
        from .. import feedback_forms, render

        if out.exists() and not out.is_dir():
            from ..errors import UsageError

            raise UsageError(f"--out 应为目录，{out} 已存在且不是目录")
        sent = feedback_forms.send(ledger(), list(units), out)
        con = render.console()
        for f, path in sent:
            con.print(f"{f.unit}：{len(f.rows)} 项 → {path}")
        con.print(f"已生成反馈表 {len(sent)} 份（{out}）；收回后运行 duban collect 文件…")

    @app.command("collect")
    @guarded
    def collect(
        files: List[Path] = typer.Argument(..., metavar="FILE…", help="收回的反馈表（.xlsx、.xls、.et，可多个）"),
        dry_run: bool = typer.Option(False, "--dry-run", help="试收：只列出将记录的内容和问题，不写入台账"),
        fmt: Format = typer.Option(Format.table, "--format", help="输出格式：table 或 json"),
    ) -> None:
        """收回反馈表：把各单位填好的反馈表记入台账（进展反馈、办结、延期申请），全部无误才写入。

        只收本台账发出的、发给本台账单位的反馈表；每一行须是该单位的在办事项，完成百分比 0–100，
        办结须写办结情况，申请延期须是晚于现时限的日期并写明理由。空行跳过；同一份表收两次不会重复记录。
        最后列出该日期的反馈表哪些单位已交、哪些未交。

        示例：duban collect 收回/*.xlsx --dry-run；duban collect 市财政局-反馈表-2026-11-20.xlsx
        """
        from .. import form_collect, sheet_reader
        from ..errors import InvalidInput, UsageError

        if fmt is Format.csv:
            raise UsageError("collect 只支持 table 或 json 格式")
        for path in files:
            sheet_reader.check_file(path)
        report = form_collect.collect(ledger(), list(files), dry_run)
        _emit(report, fmt)
        if report.problems:
            tail = "试收，未写入" if dry_run else "未写入任何内容，请核对后重新收取"
            raise InvalidInput(f"反馈表中有 {len(report.problems)} 处问题（{tail}）")

    @app.command("requests")
    @guarded
    def requests(
        fmt: Format = typer.Option(Format.table, "--format", help="输出格式：table 或 json"),
    ) -> None:
        """待批的延期申请（来自收回的反馈表）：事项、单位、申请延期至、理由、申请日期。

        批准：duban extend ID --grant [--unit U]；不同意：duban extend ID --deny 理由 [--unit U]。

        示例：duban requests；duban requests --format json
        """
        from .. import extension_requests, render

        found = [r.record() for r in extension_requests.pending(ledger())]
        if fmt is Format.json:
            render.write_json(found)
            return
        con = render.console()
        if not found:
            con.print("没有待批的延期申请")
            return
        from ..render_fit import Col, Fitted

        cols = [Col("事项", 0), Col("单位", 0, wrap=True, min_width=6, max_width=18), Col("申请延期至", 0),
                Col("理由", 1, wrap=True, min_width=10), Col("申请日期", 2)]
        con.print(Fitted(cols, [(f"#{r['id']}", r["unit"], r["to"], r["reason"], r["requested_on"]) for r in found],
                         f"待批的延期申请（{len(found)} 项）"))
        con.print("批准：duban extend ID --grant [--unit 单位]；不同意：duban extend ID --deny 理由 [--unit 单位]")


def _emit(report: Any, fmt: Format) -> None:
    from .. import render

    if fmt is Format.json:
        render.write_json(report.record())
        return
    con = render.console()
    for problem in report.problems:
        con.print(f"问题：{problem}")
    labels = {"feedback": "进展反馈", "closed": "办结", "extension_requested": "申请延期"}
    for f in report.forms:
        new = [e for e in f.entries if not e.already]
        said = "；".join(f"#{e.item_id} {'、'.join(labels[a] for a in e.actions())}" for e in new) or "无新内容"
        again = sum(1 for e in f.entries if e.already)
        tail = f"；已收过 {again} 行" if again else ""
        tail += f"；未填 {f.blank} 行" if f.blank else ""
        con.print(f"{f.unit}（{f.file}）：{said}{tail}")
    head = "试收（未写入）" if report.dry_run else ("已收取" if report.written else "未收取")
    for date in sorted(set(report.returned) | set(report.missing)):
        returned, missing = report.returned.get(date, []), report.missing.get(date, [])
        con.print(f"{head}：{date} 发出的反馈表，已交 {len(returned)} 个单位（{'、'.join(returned) or '无'}），"
                  f"未交 {len(missing)} 个单位（{'、'.join(missing) or '无'}）")
