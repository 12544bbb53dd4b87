"""duban import on the sheets offices really send (issue #15): gap and dropdown-only rows,
template placeholders, text under merged cells, hidden rows and columns, row identity,
re-importing duban's own export, grouped errors, the one vocabulary, formats, limits,
and 8 imports of one sheet at once (issue #14 point 11).

The CLI fixture ``units`` gives a ledger (today 2026-11-16) with 市交通运输局/交通局,
市财政局/财政局 and 市住房和城乡建设局/市住建局/住建局.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlite_utils import Database

from duban import importer

ROOT = Path(__file__).resolve().parent.parent
FORMATS = Path(__file__).parent / "data" / "formats"
HEADER = ["序号", "督办事项", "牵头单位", "完成时限", "办理状态", "备注"]
TITLE = "2026年重点工作督查台账"


def book(path: Path, rows: dict[int, list], name: str = "台账") -> Path:
    """A sheet with the given 1-based rows only (a row number left out is absent from the file)."""
    wb = Workbook()
    ws = wb.active
    ws.title = name
    for r, values in rows.items():
        for c, value in enumerate(values, start=1):
            if value is not None:
                ws.cell(r, c, value)
    wb.save(path)
    return path


def sheet(path: Path, rows: list[list], header: list[str] = HEADER) -> Path:
    return book(path, {i: r for i, r in enumerate([[TITLE], header, *rows], start=1)})


def add_merges(path: Path, refs: list[str]) -> Path:
    """Merged ranges added to the sheet XML, leaving the covered cells' text in place (as
    Excel files from other tools do; openpyxl would clear them)."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                block = f'<mergeCells count="{len(refs)}">' + "".join(f'<mergeCell ref="{r}"/>' for r in refs) + \
                        "</mergeCells>"
                data = data.replace(b"</sheetData>", b"</sheetData>" + block.encode())
            dst.writestr(info, data)
    tmp.replace(path)
    return path


def run(duban, path: Path, *args: str, today: str | None = None):
    return duban("import", str(path), *args, today=today)


def report_of(duban, path: Path, *args: str) -> dict:
    result = duban("import", str(path), *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def nonzero(report: dict) -> dict:
    return {k: v for k, v in report["counts"].items() if v}


def items(duban) -> list[dict]:
    result = duban("list", "--all", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def db_counts() -> dict[str, int]:
    db = Database(os.environ["DUBAN_DB"])
    found = {t: db[t].count for t in ("items", "events", "units", "import_keys")}
    db.close()
    return found


# -- rows that are not items ------------------------------------------------------------------------


def test_a_row_missing_between_two_rows_is_a_blank_row_not_a_crash(units, tmp_path):
    # row 4 is absent from the file (Excel and WPS leave such gaps): openpyxl gave it as a list
    # and the import failed with 内部错误（TypeError: can only concatenate list (not "tuple") to list）
    path = book(tmp_path / "a.xlsx", {1: [TITLE], 2: HEADER, 3: [1, "事项甲", "交通局", "2026年12月31日"],
                                      5: [2, "事项乙", "财政局", "2026年12月31日"]})
    result = run(units, path)
    assert result.exit_code == 0, result.output
    assert "内部错误" not in result.output
    assert [i["title"] for i in items(units)] == ["事项甲", "事项乙"]
    assert "新增 2 项" in result.stdout and "空行 1 行" in result.stdout


def test_rows_holding_only_dropdown_values_are_skipped_and_counted(units, tmp_path):
    path = sheet(tmp_path / "a.xlsx", [[1, "事项甲", "交通局", "2026年12月31日", "推进中"],
                                       [None, None, None, None, "推进中"], [None, None, None, None, "推进中", "普通"]])
    report = report_of(units, path)
    assert nonzero(report) == {"new": 1, "prefilled": 2}
    assert len(items(units)) == 1
    assert "只有预填内容（如下拉选项）的行 2 行" in run(units, path, "--dry-run").stdout


def test_template_placeholder_rows_never_become_items_or_units(units, tmp_path):
    path = sheet(tmp_path / "a.xlsx", [[1, "事项甲", "交通局", "2026年12月31日"],
                                       ['<jx:forEach items="${datalist}" var="data">'],
                                       ["${data.xh}", "${data.zyrwmc}", "${data.ssbm}", "${data.sx}"],
                                       ["</jx:forEach>"]])
    report = report_of(units, path, "--create-units")
    assert nonzero(report) == {"new": 1, "placeholder": 3}
    assert report["new_units"] == []
    assert [i["title"] for i in items(units)] == ["事项甲"]
    assert db_counts()["units"] == 3


def test_text_under_a_header_merged_over_two_rows_is_not_read(units, tmp_path):
    # the header's cells merged down over rows 2–3; row 3 still holds an older header and a
    # stale row's text, which Excel never shows: it must be neither header nor data
    path = book(tmp_path / "a.xlsx", {1: [TITLE], 2: ["序号", "督办事项", "牵头单位", "完成时限"],
                                      3: ["旧序号", "旧事项", "财政局", "2026年1月1日"],
                                      4: [1, "事项甲", "交通局", "2026年12月31日"]})
    add_merges(path, ["A1:D1", "A2:A3", "B2:B3", "C2:C3", "D2:D3"])
    report = report_of(units, path)
    assert report["sheets"][0]["header_row"] == 3
    assert nonzero(report) == {"new": 1}
    assert [(i["title"], i["lead_unit"]) for i in items(units)] == [("事项甲", "市交通运输局")]


def test_text_under_a_merged_data_cell_is_not_read(units, tmp_path):
    path = sheet(tmp_path / "a.xlsx", [[1, "事项甲", "交通局", "2026年12月31日", None, "备注甲"],
                                       [2, "事项乙", "财政局", "2026年12月31日", None, "藏在合并单元格下"]])
    add_merges(path, ["A1:F1", "F3:F4"])
    report_of(units, path)
    logged = units("log", "2", "--format", "json")
    assert "藏在合并单元格下" not in logged.stdout
    assert json.loads(logged.stdout)[0]["data"]["content"] == "备注：备注甲"  # the merge's value spans both rows


def test_hidden_rows_and_columns_are_reported_and_not_read(units, tmp_path):
    path = sheet(tmp_path / "a.xlsx", [[1, "事项甲", "交通局", "2026年12月31日", None, "看得见"],
                                       [2, "事项乙", "财政局", "2026年12月31日"],
                                       [3, "事项丙", "住建局", "2026年12月31日"],
                                       [4, "事项丁", "住建局", "2026年12月31日"]])
    wb = load_workbook(path)
    ws = wb.active
    ws.row_dimensions[4].hidden = True
    ws.row_dimensions[5].hidden = True
    ws.column_dimensions["F"].hidden = True
    wb.save(path)
    report = report_of(units, path)
    assert nonzero(report) == {"new": 2, "hidden": 2, "notes": 2}
    assert [p["reason"] for p in report["problems"]] == [
        "隐藏列未读取：F列“备注”（Excel/WPS 中不显示；如需导入请先取消隐藏）",
        "第4–5行是隐藏行（Excel/WPS 中不显示），共2行，未导入；如需导入请先取消隐藏",
    ]
    assert [i["title"] for i in items(units)] == ["事项甲", "事项丁"]


# -- row identity --------------------------------------------------------------------------------------


def test_distinct_问题编号_sharing_one_title_are_distinct_items(units, tmp_path):
    header = ["序号", "问题简述", "所属责任公司", "目标设定完成时间", "是否整改完成", "问题编号"]
    rows = [[1, "未建立采购管理制度", "交通局", "2026年12月31日", "否", 56],
            [2, "未建立采购管理制度", "交通局", "2026年12月31日", "否", 66],
            [3, "未建立采购管理制度", "交通局", "2026年12月31日", "是", 70]]
    path = sheet(tmp_path / "a.xlsx", rows, header)
    report = report_of(units, path)
    assert nonzero(report) == {"new": 2, "skip": 1}
    assert [i["title"] for i in items(units)] == ["未建立采购管理制度"] * 2
    # re-numbered 序号, rows in another order: still the same two items
    again = sheet(tmp_path / "b.xlsx", [[9, *rows[1][1:]], [8, *rows[0][1:]]], header)
    assert nonzero(report_of(units, again)) == {"unchanged": 2}
    assert len(items(units)) == 2



def test_the_identifying_number_is_kept_as_文号_when_the_sheet_has_none(units, tmp_path, monkeypatch):
    """Rows sharing one title are told apart afterwards: 问题编号 becomes the item's 文号 (header + value),
    shown by list and show, found by list --grep and --ref; re-import still matches by the number."""
    header = ["序号", "问题简述", "所属责任公司", "目标设定完成时间", "是否整改完成", "问题 编号"]
    rows = [[1, "未建立采购管理制度", "交通局", "2026年12月31日", "否", 56],
            [2, "未建立采购管理制度", "交通局", "2026年12月31日", "否", "问题编号66"]]
    report = report_of(units, sheet(tmp_path / "a.xlsx", rows, header))
    assert nonzero(report) == {"new": 2}
    assert [(i["title"], i["ref"]) for i in items(units)] == [("未建立采购管理制度", "问题编号56"),
                                                              ("未建立采购管理制度", "问题编号66")]
    assert [i["id"] for i in json.loads(units("list", "--grep", "66", "--format", "json").stdout)] == [2]
    assert [i["id"] for i in json.loads(units("list", "--ref", "问题编号56", "--format", "json").stdout)] == [1]
    monkeypatch.setenv("COLUMNS", "120")
    table = [line.rstrip() for line in units("list").stdout.splitlines()]
    assert table[4:8] == [
        "│    1 │ ● 绿灯 │ 未建立采购管理制度 │ 问题编号 │ 市交通运 │ 2026-12-31 │ 剩 33  │ 办理中 │ —        │ —        │ 其他 │",
        "│      │        │                    │ 56       │ 输局     │            │        │        │          │          │      │",
        "│    2 │ ● 绿灯 │ 未建立采购管理制度 │ 问题编号 │ 市交通运 │ 2026-12-31 │ 剩 33  │ 办理中 │ —        │ —        │ 其他 │",
        "│      │        │                    │ 66       │ 输局     │            │        │        │          │          │      │",
    ]
    assert "文号      问题编号66" in units("show", "2").stdout
    # the same rows again, re-numbered and reordered: matched by the number, nothing new
    again = sheet(tmp_path / "b.xlsx", [[9, *rows[1][1:]], [8, *rows[0][1:]]], header)
    assert nonzero(report_of(units, again)) == {"unchanged": 2}


def test_with_a_文号_column_too_the_number_opens_the_content(units, tmp_path):
    header = ["序号", "问题简述", "所属责任公司", "目标设定完成时间", "文号", "整改措施", "任务编号"]
    rows = [[1, "未建立采购管理制度", "交通局", "2026年12月31日", "审计〔2026〕3号", "建立制度", "T-7"],
            [2, "未建立采购管理制度", "交通局", "2026年12月31日", None, None, "T-8"]]
    assert nonzero(report_of(units, sheet(tmp_path / "a.xlsx", rows, header))) == {"new": 2}
    shown = [json.loads(units("show", str(n), "--format", "json").stdout) for n in (1, 2)]
    assert [(s["ref"], s["content"]) for s in shown] == [("审计〔2026〕3号", "任务编号：T-7\n建立制度"),
                                                        ("任务编号T-8", None)]
    assert [i["id"] for i in json.loads(units("list", "--grep", "T-7", "--format", "json").stdout)] == [1]


def test_序号_identifies_nothing(units, tmp_path):
    path = sheet(tmp_path / "a.xlsx", [[1, "事项甲", "交通局", "2026年12月31日"], [2, "事项甲", "交通局", "2026年12月31日"]])
    result = run(units, path)
    assert result.exit_code == 1
    assert "与工作表“台账”第3行重复（事项名称和牵头单位相同）" in result.stdout


def test_a_finished_row_never_blocks_an_open_one(units, tmp_path):
    path = sheet(tmp_path / "a.xlsx", [[1, "事项甲", "交通局", "2026年12月31日", "已办结"],
                                       [2, "事项甲", "交通局", "2026年12月31日", "推进中"],
                                       [3, "事项乙", "不认识的单位", "2026年12月31日", "已完成"]])
    report = report_of(units, path)
    assert nonzero(report) == {"new": 1, "skip": 2}
    assert [(i["title"], i["status"]) for i in items(units)] == [("事项甲", "open")]


def test_reimporting_dubans_own_export_updates_the_items(units, tmp_path):
    for title, lead in (("道路整治", "交通局"), ("资金拨付", "财政局")):
        assert units("create", title, "--source", "领导批示", "--lead", lead, "--due", "2026-12-31").exit_code == 0
    assert units("feedback", "1", "已完成设计", "--unit", "交通局").exit_code == 0
    out = tmp_path / "导出.xlsx"
    assert units("export", str(out)).exit_code == 0, "export"
    events_before = db_counts()["events"]
    # exported as is, imported back: nothing new, nothing changed
    report = report_of(units, out)
    assert nonzero(report) == {"unchanged": 2}
    assert db_counts()["events"] == events_before
    # the 最近进展 of item 2 filled in, the row moved: one feedback event, no duplicate
    wb = load_workbook(out)
    ws = wb["台账"]
    header = [c.value for c in ws[2]]
    col_progress, col_id = header.index("最近进展") + 1, header.index("事项编号") + 1
    row2 = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, col_id).value in (2, "2"))
    ws.cell(row2, col_progress).value = "资金已拨付一半"
    wb.save(out)
    report = report_of(units, out)
    assert nonzero(report) == {"progress": 1, "unchanged": 1}
    assert len(items(units)) == 2
    log = json.loads(units("log", "2", "--format", "json").stdout)
    assert (log[-1]["kind"], log[-1]["unit"], log[-1]["data"]["text"]) == ("feedback", "市财政局", "资金已拨付一半")
    assert nonzero(report_of(units, out)) == {"unchanged": 2}


# -- messages ----------------------------------------------------------------------------------------


def test_errors_of_one_cause_are_said_once_with_their_rows(units, tmp_path):
    path = sheet(tmp_path / "a.xlsx", [[i, f"事项{i}", "A公司", "2026年12月31日"] for i in range(1, 36)])
    result = run(units, path)
    assert result.exit_code == 1
    assert ("未找到单位“A公司”：第3–37行，共35行；可先用 duban unit add 添加该单位或其简称，或加 --create-units 自动新增"
            in result.stdout)
    assert result.stdout.count("A公司") == 1
    assert result.stderr == "错误：a.xlsx 中有 35 处问题，1 类原因（未写入任何内容，请修改表格后重新导入）\n"
    # JSON keeps one problem per row, for tools
    report = json.loads(run(units, path, "--format", "json").stdout)
    assert [p["row"] for p in report["problems"]] == list(range(3, 38))


def test_not_a_ledger_lists_the_header_it_saw_and_suggests_map(units, tmp_path):
    path = book(tmp_path / "a.xlsx", {1: ["单位名称", "交办事项总数", "办结率"], 2: ["市财政局", 3, "50%"]})
    result = run(units, path)
    assert result.exit_code == 1
    assert result.stderr == (f"错误：文件 {path} 中没有找到台账（“台账”：前30行中未找到表头（需要“督办事项”“牵头单位”等"
                             "列名；看到的列名：单位名称、交办事项总数、办结率）；如果其中有事项和单位列，可用 --map 列名=督办事项、"
                             "--map 列名=牵头单位 指定；不是台账，已跳过）\n")


@pytest.mark.parametrize("title, lead, due", [("待办事项", "责任部门", "计划完成时间"),
                                              ("问题简述", "所属责任公司", "目标设定完成时间")])
def test_headers_of_real_offices_are_recognised(units, tmp_path, title, lead, due):
    path = sheet(tmp_path / "a.xlsx", [["事项甲", "交通局", "2026年12月31日"]], [title, lead, due])
    assert run(units, path).exit_code == 0
    assert [(i["title"], i["lead_unit"], i["due"]) for i in items(units)] == [("事项甲", "市交通运输局", "2026-12-31")]


def test_columns_prints_the_one_vocabulary(duban):
    result = duban("import", "--columns", "--format", "json")
    assert result.exit_code == 0, result.output
    fields = json.loads(result.stdout)
    by_code = {f["code"]: f["names"] for f in fields}
    assert {"待办事项", "问题简述"} <= set(by_code["title"])
    assert {"计划完成时间", "目标设定完成时间"} <= set(by_code["due"])
    assert {"责任部门", "所属责任公司"} <= set(by_code["lead"])
    assert "序号" not in by_code["ident"] and "问题编号" in by_code["ident"]
    table = duban("import", "--columns")
    assert table.exit_code == 0 and "所属责任公司" in table.stdout


def test_the_documented_vocabulary_table_is_generated_from_the_code():
    from duban.xlsx_sheet import vocabulary_markdown

    guide = (ROOT / "docs" / "Excel.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- import-columns:begin -->\n(.*?)\n<!-- import-columns:end -->", guide, re.S)
    assert block is not None, "docs/Excel.md lacks the generated import vocabulary table"
    assert block.group(1) == vocabulary_markdown()


def test_no_python_warning_or_english_reaches_the_user(tmp_path):
    # openpyxl warned "Data Validation extension is not supported and will be removed" on this file
    env = {**os.environ, "DUBAN_DB": str(tmp_path / "t.db"), "DUBAN_TODAY": "2026-11-16", "PYTHONWARNINGS": "default"}
    cli = [sys.executable, "-c", "from duban.cli import main; main()"]
    assert subprocess.run([*cli, "init"], env=env, capture_output=True).returncode == 0
    real = tmp_path / "任务清单.xlsx"
    shutil.copy(Path(__file__).parent / "data" / "realdata" / "qinggeng_任务清单.xlsx", real)
    done = subprocess.run([*cli, "import", str(real), "--dry-run"], env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert "Warning" not in done.stderr and "warn" not in done.stderr.lower()
    assert re.findall(r"[A-Za-z]{4,}", done.stderr.replace(".xlsx", "")) == []  # no English words


def test_a_stylesheet_openpyxl_cannot_parse_is_no_english_error(units, tmp_path):
    # an empty <fill/> (which Excel accepts) made the old reader say, to the user,
    # "文件已损坏…（TypeError: expected <class 'openpyxl.styles.fills.Fill'>）"
    made = sheet(tmp_path / "made.xlsx", [[1, "事项甲", "交通局", "2026年12月31日"]])
    path = tmp_path / "台账.xlsx"
    with zipfile.ZipFile(made) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/styles.xml":
                data = (b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                        b'<fonts count="1"><font/></fonts><fills count="1"><fill/></fills>'
                        b'<borders count="1"><border/></borders><cellXfs count="1"><xf/></cellXfs></styleSheet>')
            dst.writestr(info, data)
    result = run(units, path)
    assert result.exit_code == 0, result.output
    assert re.findall(r"[A-Za-z]{4,}", result.output.replace(".xlsx", "")) == []
    assert [i["title"] for i in items(units)] == ["事项甲"]


# -- formats and limits -----------------------------------------------------------------------------


@pytest.mark.parametrize("name, suffix", [("台账.xls", ".xls"), ("台账.ods", ".ods"), ("台账.xls", ".et")])
def test_xls_et_and_ods_are_read(units, tmp_path, name, suffix):
    path = tmp_path / f"台账{suffix}"
    shutil.copy(FORMATS / name, path)
    report = report_of(units, path)
    assert nonzero(report) == {"new": 3}
    got = {i["title"]: i for i in items(units)}
    assert (got["推进主干道综合整治"]["lead_unit"], got["推进主干道综合整治"]["co_units"],
            got["推进主干道综合整治"]["due"]) == ("市交通运输局", ["市财政局"], "2026-12-31")
    assert got["财政资金绩效评价"]["due"] is None


def test_xlsm_and_a_workbook_with_the_wrong_extension_are_read(units, tmp_path):
    made = sheet(tmp_path / "a.xlsx", [[1, "事项甲", "交通局", "2026年12月31日"]])
    xlsm = tmp_path / "台账.xlsm"
    shutil.copy(made, xlsm)
    assert nonzero(report_of(units, xlsm)) == {"new": 1}
    wrong = tmp_path / "其实是xls.xlsx"  # an .xls saved with the .xlsx name
    shutil.copy(FORMATS / "台账.xls", wrong)
    assert nonzero(report_of(units, wrong)) == {"new": 3}


def test_a_sheet_whose_used_area_is_too_large_is_refused_before_loading(units, tmp_path):
    # two cells, A1 and XFD1048576: a reader allocating the used area would need 17 billion cells
    path = sheet(tmp_path / "a.xlsx", [[1, "事项甲", "交通局", "2026年12月31日"]])
    wb = load_workbook(path)
    wb.active["XFD1048576"] = "x"
    wb.save(path)
    before = db_counts()
    started = time.monotonic()
    result = run(units, path)
    assert time.monotonic() - started < 5
    assert result.exit_code == 1
    assert result.stderr == (f"错误：文件 {path} 的工作表“台账”使用区域为 1048576 行 × 16384 列，超过导入上限 "
                             "1,000,000 个单元格：未读取，台账不变（请删去多余的行列或拆分工作表）\n")
    assert db_counts() == before


def test_a_workbook_too_large_once_unzipped_is_refused(units, tmp_path, monkeypatch):
    from duban import sheet_reader

    path = sheet(tmp_path / "a.xlsx", [[1, "事项甲", "交通局", "2026年12月31日"]])
    monkeypatch.setattr(sheet_reader, "MAX_UNCOMPRESSED_BYTES", 4 * 1024 * 1024)
    with zipfile.ZipFile(path, "a") as zf:  # 5 MB of zeros compress to a few KB
        zf.writestr("xl/media/padding.bin", b"\0" * (5 * 1024 * 1024), compress_type=zipfile.ZIP_DEFLATED)
    result = run(units, path)
    assert result.exit_code == 1
    assert result.stderr == (f"错误：文件 {path} 解压后有 5 MB，超过导入上限 4 MB（可能是异常文件或格式设置到了整张表）："
                             "未读取，台账不变\n")


# -- a lost race (issue #14, point 11) ------------------------------------------------------------------


def test_an_import_that_read_the_ledger_before_another_committed_says_so(units, tmp_path, monkeypatch):
    path = sheet(tmp_path / "a.xlsx", [[1, "事项甲", "交通局", "2026年12月31日"]])
    assert run(units, path).exit_code == 0
    from duban.ledger import Ledger

    monkeypatch.setattr(Ledger, "import_keys", lambda self: {})  # as if read before the other import committed
    before = db_counts()
    result = run(units, path)
    assert result.exit_code == 1
    assert result.stderr == ("错误：该表已由另一进程导入（在本次读取之后、写入之前），本次未写入任何内容；"
                             "如需核对，请重新运行 duban import（将按重复导入处理）\n")
    assert db_counts() == before


def test_eight_imports_of_one_sheet_at_once(tmp_path):
    env = {**os.environ, "DUBAN_DB": str(tmp_path / "t.db"), "DUBAN_TODAY": "2026-11-16"}
    cli = [sys.executable, "-c", "from duban.cli import main; main()"]
    assert subprocess.run([*cli, "init"], env=env).returncode == 0
    path = sheet(tmp_path / "a.xlsx", [[i, f"事项{i}", f"单位{i % 3}", "2026年12月31日"] for i in range(1, 41)])
    procs = [subprocess.Popen([*cli, "import", str(path), "--create-units"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(8)]
    outcomes = [(p.wait(), *p.communicate()) for p in procs]
    for code, out, err in outcomes:
        assert "Traceback" not in err and "内部错误" not in err and "UNIQUE" not in err and "损坏" not in err, err
        if code == 1:
            assert err.startswith("错误：该表已由另一进程导入"), err
        else:
            assert code == 0, err
    winners = [out for code, out, _ in outcomes if code == 0 and "新增 40 项" in out]
    assert len(winners) == 1
    db = Database(tmp_path / "t.db")
    assert (db["items"].count, db["units"].count, db["import_keys"].count) == (40, 3, 40)
    # started after the winner committed: an ordinary re-import
    again = subprocess.run([*cli, "import", str(path), "--create-units"], env=env, capture_output=True, text=True)
    assert again.returncode == 0 and "已导入过无变化 40 项" in again.stdout


def test_importer_module_reports_through_one_import_report():
    report = importer.ImportReport(file="a.xlsx", dry_run=True)
    assert set(report.counts()) == {"new", "progress", "unchanged", "skip", "blank", "placeholder", "prefilled",
                                    "hidden", "errors", "notes", "new_units"}


def test_a_sheet_starting_away_from_a1_keeps_its_rows_and_columns(units, tmp_path):
    # calamine gives rows from the first used column on; duban puts them back at column A
    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    for ref, value in {"C3": "督办事项", "D3": "牵头单位", "E3": "完成时限", "C4": "事项甲", "D4": "不认识的单位",
                       "E4": "2026年12月31日"}.items():
        ws[ref] = value
    wb.save(tmp_path / "a.xlsx")
    result = run(units, tmp_path / "a.xlsx", "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["sheets"][0]["header_row"] == 3
    assert [(p["row"], p["column"]) for p in report["problems"]] == [(4, "牵头单位（D列）")]
