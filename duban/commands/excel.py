"""duban import: the office's own Excel 台账 into the ledger (the work is in duban/importer.py)."""

# No ``from __future__ import annotations``: Typer evaluates the commands' annotations when it
# builds them, and from strings that takes a third longer (~5 ms of ``duban --help``).

from pathlib import Path
from typing import Any, Optional

import typer

from ..render import Format
from .common import guarded, ledger

NOTES_SHOWN = 20
TABLE_ROWS = 500
CSV_KEYS = ("kind", "kind_label", "sheet", "row", "column", "item_id", "title", "lead_unit", "co_units", "due",
            "due_text", "long_term", "assigned_on", "assigned_on_known", "progress", "reason")
_LEVEL_LABELS = {"error": "错误", "note": "提示"}


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""

    @app.command("import")
    @guarded
    def import_xlsx(
        file: Optional[Path] = typer.Argument(None, metavar="FILE.xlsx",
                                              help="要导入的台账（.xlsx、.xlsm、.xls、.et 或 .ods）"),
        sheet: Optional[str] = typer.Option(None, "--sheet", help="只导入该工作表（默认：所有像台账的工作表）"),
        dry_run: bool = typer.Option(False, "--dry-run", help="试导入：只列出将导入的事项和全部问题，不写入台账"),
        year: Optional[int] = typer.Option(None, "--year", help="“6月底”“年底前”等未写年份的时限所属年份（默认取表格标题中的年份）"),
        create_units: bool = typer.Option(False, "--create-units", help="表中有台账里没有的单位时自动新增（否则报错并提示相近单位）"),
        mapping: list[str] = typer.Option([], "--map", help="指定列对应的字段“列名=字段”，可重复，如 --map 主要任务=督办事项；字段为 ignore 时忽略该列"),
        source: str = typer.Option("其他", "--source", help="表中没有来源列（或来源为空）时的立项依据"),
        fmt: Format = typer.Option(Format.table, "--format", help="报告格式：table（表格）、json 或 csv"),
        columns: bool = typer.Option(False, "--columns", help="列出能识别的列名（字段与同义列名），不导入"),
    ) -> None:
        """导入 Excel 台账：识别标题行下的表头、多单位单元格和各种写法的时限，全部成功才写入。

        能识别的列名见 duban import --columns；其他列用 --map 指定。任何一行有问题时不写入任何内容，
        列出每个问题（工作表、行号、列、原因）并以状态码 1 退出。重复导入同一张表不会产生重复事项，
        进展情况有变化的记为牵头单位的一次进展反馈。

        示例：duban import 2026年督查台账.xlsx --dry-run；duban import 台账.xlsx --sheet 重点工作 --year 2026
        --create-units --map 主要任务=督办事项
        """
        from .. import importer, sheet_reader, xlsx_sheet
        from ..errors import InvalidInput, UsageError
        from ..models import Source

        if columns:
            _print_columns(fmt)
            return
        if file is None:
            raise UsageError("请给出要导入的文件，如 duban import 台账.xlsx（列出能识别的列名：duban import --columns）")

        if year is not None and not 2000 <= year <= 2099:
            raise UsageError(f"--year 应为 2000 到 2099 之间的年份，收到 {year}")
        options = importer.ImportOptions(
            sheet=sheet, year=year, create_units=create_units, mapping=xlsx_sheet.parse_map(mapping),
            default_source=Source.parse(source, "--source"), dry_run=dry_run,
        )
        sheet_reader.check_file(file)  # a bad file is reported before the ledger is even opened
        report = importer.import_file(ledger(), file, options)
        _emit(report, fmt)
        errors = report.errors
        if errors:
            tail = "试导入，未写入" if dry_run else "未写入任何内容，请修改表格后重新导入"
            said = f"{len(errors)} 处问题"
            causes = len(importer_groups(errors))
            if causes < len(errors):
                said += f"，{causes} 类原因"
            raise InvalidInput(f"{report.file} 中有 {said}（{tail}）")


# -- output ------------------------------------------------------------------------------------


def _print_columns(fmt: Format) -> None:
    from .. import render
    from ..xlsx_sheet import vocabulary_rows

    rows = [{"field": label, "code": code, "names": names.split("、")} for label, code, names in vocabulary_rows()]
    if fmt is Format.json:
        render.write_json(rows)
        return
    from ..render_fit import Col, Fitted

    cols = [Col("字段", 0), Col("代码", 1), Col("能识别的列名", 0, wrap=True, min_width=16)]
    render.console().print(Fitted(cols, vocabulary_rows(), "duban import 能识别的列名（其他列用 --map 列名=字段 指定）"))


def importer_groups(errors: list) -> list:
    from ..import_report import grouped

    return grouped(errors)


def _summary(report: Any) -> str:
    c = report.counts()
    head = "试导入（未写入）" if report.dry_run else ("已导入" if report.written else "未导入")
    parts = [f"新增 {c['new']} 项", f"更新进展 {c['progress']} 项", f"已导入过无变化 {c['unchanged']} 项",
             f"跳过 {c['skip']} 行", f"空行 {c['blank']} 行"]
    for key, label in (("placeholder", "模板占位符行"), ("prefilled", "只有预填内容（如下拉选项）的行"),
                       ("hidden", "隐藏行")):
        if c[key]:
            parts.append(f"{label} {c[key]} 行")
    if report.new_units:
        parts.append(f"{'将' if not report.written else ''}新增单位 {len(report.new_units)} 个：{'、'.join(report.new_units)}")
    tail = f"；问题 {c['errors']} 处" if c["errors"] else ""
    tail += f"；提示 {c['notes']} 条" if c["notes"] else ""
    return f"{head} {report.file}：{'，'.join(parts)}{tail}"


def _flat(report: Any) -> list[dict]:
    """Rows and problems as one list (CSV), in sheet order then row order."""
    order = {s.name: i for i, s in enumerate(report.sheets)}
    records = []
    for r in report.rows:
        rec = r.record()
        records.append({**{k: rec.get(k) for k in CSV_KEYS}, "kind": r.action, "kind_label": rec["action_label"],
                        "column": None})
    for p in report.problems:
        records.append({**{k: None for k in CSV_KEYS}, "kind": p.level, "kind_label": _LEVEL_LABELS[p.level],
                        "sheet": p.sheet, "row": p.row, "column": p.column, "reason": p.reason})
    records.sort(key=lambda r: (order.get(r["sheet"], -1), r["row"] or 0))
    return records


def _emit(report: Any, fmt: Format) -> None:
    from .. import render

    if fmt is Format.json:
        render.write_json(report.record())
        return
    if fmt is Format.csv:
        render.write_csv(_flat(report), CSV_KEYS)
        return
    out = render.console()
    if report.dry_run and report.rows:
        if len(report.rows) <= TABLE_ROWS:
            out.print(_rows_table(report.rows))
        else:  # a Rich table of 10,000 rows takes a quarter of a minute: one plain line per row
            out.print(f"将导入的行（共 {len(report.rows)} 行，逐行列出；表格形式请用 --format csv）", style="bold")
            out.file.write("".join(_row_line(r) + "\n" for r in report.rows))
    from ..import_report import grouped

    errors, notes = grouped(report.errors), grouped(report.notes)
    problems = errors + notes
    if not report.dry_run and not report.errors and len(notes) > NOTES_SHOWN:
        problems = notes[:NOTES_SHOWN]
    if len(problems) > TABLE_ROWS:
        out.print(f"问题与提示（共 {len(problems)} 条）", style="bold")
        out.file.write("".join(_problem_line(p) + "\n" for p in problems))
    elif problems:
        out.print(_problems_table(problems))
        hidden = len(errors) + len(notes) - len(problems)
        if hidden:
            out.print(f"……另有 {hidden} 条提示未显示（用 --dry-run 或 --format csv 查看全部）")
    skipped = [s for s in report.sheets if not s.imported]
    for s in skipped:
        out.print(f"工作表“{s.name}”：{s.reason}")
    for s in report.sheets:
        if s.imported:
            year = f"{s.year}年（取自{s.year_from}）" if s.year else "未知（未写年份的时限将报错）"
            out.print(f"工作表“{s.name}”：表头在第{s.header_row}行，年份 {year}")
    out.print(_summary(report))


def _due_text(r: Any) -> str:
    due = "长期" if r.long_term else (r.due or "—")
    if r.due_text and r.due_text != r.due and not r.long_term:
        due = f"{due}（{r.due_text}）"
    return due


def _row_line(r: Any) -> str:
    head = f"{r.sheet} 第{r.row}行 {_ACTION_SHORT[r.action]}：{r.title}"
    if r.action == "skip":
        return f"{head}（{r.reason}）"
    tail = f"；{r.reason}" if r.reason else (f"；事项 #{r.item_id}" if r.item_id else "")
    co = "、".join(r.co_units) or "—"
    assigned = r.assigned_on if r.assigned_on_known else "未知"
    return f"{head}｜牵头 {r.lead_unit}｜配合 {co}｜时限 {_due_text(r)}｜交办 {assigned}{tail}"


def _problem_line(p: Any) -> str:
    where = "，".join(x for x in (f"工作表“{p.sheet}”" if p.sheet else "", f"第{p.row}行" if p.row else "",
                                 p.column or "") if x)
    return f"{_LEVEL_LABELS[p.level]}：{where + '：' if where else ''}{p.reason}"


_ACTION_SHORT = {"new": "新增", "progress": "更新进展", "unchanged": "无变化", "skip": "跳过"}


def _rows_table(rows: list) -> Any:
    from ..render_fit import Col, Fitted

    cols = [Col("工作表", 4, wrap=True, min_width=6, max_width=12), Col("行", 0, justify="right"), Col("操作", 0),
            Col("事项", 0, wrap=True, min_width=10, max_width=30), Col("牵头单位", 1, wrap=True, min_width=8, max_width=18),
            Col("配合单位", 3, wrap=True, min_width=8, max_width=18), Col("办理时限", 2), Col("交办日期", 4),
            Col("说明", 2, wrap=True, min_width=8, max_width=24)]
    shown: list[tuple] = []
    for r in rows:
        skipped = r.action == "skip"
        assigned = "—" if skipped else (r.assigned_on if r.assigned_on_known else "未知")
        said = r.reason or (f"事项 #{r.item_id}" if r.item_id else "")
        shown.append((r.sheet, str(r.row), _ACTION_SHORT[r.action], r.title, r.lead_unit or "—",
                      "、".join(r.co_units) or "—", "—" if skipped else _due_text(r), assigned, said))
    return Fitted(cols, shown, "将导入的行")


def _problems_table(problems: list) -> Any:
    from ..render_fit import Col, Fitted

    cols = [Col("级别", 0), Col("工作表", 3, wrap=True, min_width=6, max_width=12), Col("行", 0, justify="right"),
            Col("列", 1, wrap=True, min_width=8, max_width=18), Col("原因", 0, wrap=True, min_width=16)]
    return Fitted(cols, [(_LEVEL_LABELS[p.level], p.sheet or "—", str(p.row) if p.row else "—", p.column or "—",
                          p.reason) for p in problems], "问题与提示")
