"""``duban export FILE.xlsx`` and ``write_ledger_xlsx``: the 台账 and 统计 sheets as a colleague
opens them — exact cells, light colours, layout and print set-up, formula-safe text, the list
filters, atomic writes and bad paths; and, where LibreOffice is installed, a headless conversion.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from duban.exporter import COLUMNS, display_width, latest_progress, write_ledger_xlsx
from duban.ledger import Ledger, ListFilter
from duban.models import Source

HEADERS = ["序号", "事项", "来源", "文号", "牵头领导", "牵头单位", "配合单位", "时限", "状态", "亮灯",
           "剩余/逾期工作日", "最近进展", "事项编号"]
FRIDAY = dt.date(2026, 11, 20)


# -- fixtures and helpers -------------------------------------------------------------------


@pytest.fixture
def four(ledger) -> Ledger:
    """Four items made on Monday 2026-11-16; the returned ledger looks at them on Friday 11-20,
    when #1 is red (2 working days late), #2 yellow (2 left), #3 green (29 left), #4 pending."""
    ledger.create("推进城区主干道综合整治", Source.LEADER_INSTRUCTION, ref="市委批示〔2026〕12号", leader="张副市长",
                  lead="交通局", co=["财政局"], due=dt.date(2026, 11, 18))
    ledger.create("老旧小区改造", Source.MEETING_DECISION, lead="住建局", due=dt.date(2026, 11, 24))
    ledger.create("预算绩效评价", Source.DOCUMENT, lead="财政局", co=["交通局", "住建局"], due=dt.date(2026, 12, 31))
    ledger.create("待研究事项", Source.OTHER)
    ledger.feedback(1, "交通局", "已完成招标", 40)
    ledger.sign(2, "住建局")  # signed: no 未签收 yellow by Friday (issue 13)
    ledger.sign(3, "财政局")
    return Ledger(ledger.db, today=FRIDAY)


def export(led: Ledger, path: Path, flt: ListFilter = ListFilter(), **kwargs) -> openpyxl.Workbook:
    write_ledger_xlsx(led, path, led.list_items(flt), **kwargs)
    return openpyxl.load_workbook(path)


def rows(ws, first: int = 1) -> list[tuple]:
    return [tuple(r) for r in ws.iter_rows(min_row=first, values_only=True)]


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def one_error(result, code: int) -> str:
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误："), result.stderr
    return lines[0]


# -- the 台账 sheet ---------------------------------------------------------------------------


def test_ledger_sheet_has_title_headers_and_exact_rows(four, tmp_path):
    ws = export(four, tmp_path / "台账.xlsx")["台账"]
    assert ws["A1"].value == "督查室督办事项台账（截至2026年11月20日）"
    assert "A1:M1" in {str(r) for r in ws.merged_cells.ranges}
    assert [c.value for c in ws[2]] == HEADERS
    assert rows(ws, 3) == [
        (1, "推进城区主干道综合整治", "领导批示", "市委批示〔2026〕12号", "张副市长", "市交通运输局", "市财政局",
         dt.datetime(2026, 11, 18), "办理中", "红灯", -2, "2026-11-16 市交通运输局：已完成招标（完成40%）", 1),
        (2, "老旧小区改造", "会议议定", None, None, "市住房和城乡建设局", None,
         dt.datetime(2026, 11, 24), "办理中", "黄灯", 2, None, 2),
        (3, "预算绩效评价", "文件部署", None, None, "市财政局", "市交通运输局、市住房和城乡建设局",
         dt.datetime(2026, 12, 31), "办理中", "绿灯", 29, None, 3),
        (4, "待研究事项", "其他", None, None, None, None, None, "待交办", "不亮灯", None, None, 4),
    ]
    # dates and day counts are numbers (they sort), shown the way a clerk writes them
    assert ws["H3"].number_format == 'yyyy"年"m"月"d"日"'
    assert ws["K3"].number_format == '"剩"0;"逾期"0'


def test_light_cells_are_filled_by_colour(four, tmp_path):
    ws = export(four, tmp_path / "t.xlsx")["台账"]
    fills = {ws.cell(row=r, column=10).value: ws.cell(row=r, column=10).fill for r in range(3, 7)}
    assert {k: (f.fill_type, f.fgColor.rgb) for k, f in fills.items()} == {
        "红灯": ("solid", "FFFF0000"),
        "黄灯": ("solid", "FFFFFF00"),
        "绿灯": ("solid", "FF00B050"),
        "不亮灯": ("solid", "FFD9D9D9"),
    }
    # the other cells of a red row are not painted
    assert ws["B3"].fill.fill_type is None


def test_four_colour_preset_exports_blue_for_near_due(four, tmp_path):
    four.apply_preset("四色")
    ws = export(four, tmp_path / "t.xlsx")["台账"]
    assert ws["J4"].value == "蓝灯"
    assert ws["J4"].fill.fgColor.rgb == "FF00B0F0"


def test_frozen_header_autofilter_widths_and_wrapping(four, tmp_path):
    ws = export(four, tmp_path / "t.xlsx")["台账"]
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref == "A2:M6"
    widths = {h: ws.column_dimensions[chr(ord("A") + i)].width for i, h in enumerate(HEADERS)}
    # Chinese counts double: the longest lead unit, 市住房和城乡建设局 (9 characters = 18), capped at 16
    assert widths["牵头单位"] == 16
    assert widths["事项"] == 24  # 推进城区主干道综合整治: 11 characters = 22, plus 2
    assert widths["牵头领导"] == 12  # the header beside its filter button: 8 + 4
    assert ws["B3"].alignment.wrap_text and ws["L3"].alignment.wrap_text
    # the row of 市财政局 with two long co units wraps to two lines, and is tall enough for them
    assert ws.row_dimensions[5].height > ws.row_dimensions[4].height


def test_print_setup_a4_landscape_fit_to_width_titles_and_page_numbers(four, tmp_path):
    ws = export(four, tmp_path / "t.xlsx")["台账"]
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.print_title_rows == "$1:$2"
    assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"


def test_latest_progress_is_the_newest_feedback_or_close_result(ledger, tmp_path):
    ledger.create("甲", Source.OTHER, lead="交通局", within=10)
    ledger.create("乙", Source.OTHER, lead="财政局", within=10)
    ledger.feedback(1, "交通局", "第一次反馈")
    later = Ledger(ledger.db, today=dt.date(2026, 11, 18))
    later.feedback(1, "交通局", "第二次反馈", 50)
    later.feedback(2, "财政局", "已拨付资金")
    later.close(2, "资金全部拨付到位")
    ws = export(later, tmp_path / "t.xlsx", ListFilter(include_finished=True))["台账"]
    assert [ws["L3"].value, ws["L4"].value] == [
        "2026-11-18 市交通运输局：第二次反馈（完成50%）",
        "2026-11-18 市财政局：办结：资金全部拨付到位",
    ]


def test_latest_progress_takes_one_query_for_all_items(ledger):
    for n in range(30):
        ledger.create(f"事项{n}", Source.OTHER, lead="交通局", within=10)
        ledger.feedback(n + 1, "交通局", f"进展{n}")
    statements: list[str] = []
    ledger.db.conn.set_trace_callback(statements.append)
    try:
        found = latest_progress(ledger, list(range(1, 31)))
    finally:
        ledger.db.conn.set_trace_callback(None)
    assert len(found) == 30 and found[30].text == "进展29"
    assert len(statements) == 1


def test_custom_title_for_the_weekly_report(four, tmp_path):
    path = tmp_path / "周报附表.xlsx"
    returned = write_ledger_xlsx(four, path, four.list_items(), title="第47周督办事项台账")
    assert returned == path
    wb = openpyxl.load_workbook(path)
    assert wb["台账"]["A1"].value == "第47周督办事项台账"
    assert wb["统计"]["A1"].value == "第47周督办事项统计"


def test_office_name_setting_names_the_ledger(four, tmp_path):
    four.set_setting("office_name", "市委督查室")
    ws = export(four, tmp_path / "t.xlsx")["台账"]
    assert ws["A1"].value == "市委督查室督办事项台账（截至2026年11月20日）"



def test_rows_written_as_xml_read_back_as_openpyxl_cells_would(tmp_path):
    # The 台账's data rows are written straight into the sheet's XML, not made openpyxl cells (at
    # thousands of rows that was most of the export's time): awkward values read back exactly as the
    # same values put through openpyxl's cells — value, type, number format, look, quote prefix.
    from openpyxl import Workbook

    from duban import exporter

    values = ["  前后空格 ", "a & b < c > d \"引号\" '单引号'", "第一行\n第二行", "回车\r符", "制表\t符", "😀 表情", "",
              "=1+1", "#N/A", "\t=2*3", "控制\x07字符", "\u3000全角空格\u3000", 7, -3, 0, dt.date(2026, 11, 20), None]
    looks = ["text", "centre", "light:red", "light:none", "total"]
    cells = [(value, looks[n % len(looks)], exporter.DATE_FORMAT if isinstance(value, dt.date) else
              exporter.LEFT_FORMAT if isinstance(value, int) and n % 2 else None) for n, value in enumerate(values)]

    expected_wb, out = Workbook(), exporter._Writer()
    for n, (value, look, number_format) in enumerate(cells):
        out.put(expected_wb.active, 2 + n, 1 + n % 3, value, look, number_format)
    expected_wb.save(tmp_path / "cells.xlsx")

    wb, out = Workbook(), exporter._Writer()
    ws = wb.active
    ws["A1"] = "表头"
    rows = "".join(f'<row r="{2 + n}">' + out.xml(ws, f"{'ABC'[n % 3]}{2 + n}", value, look, number_format) + "</row>"
                   for n, (value, look, number_format) in enumerate(cells))
    wb.save(tmp_path / "xml.xlsx")
    exporter._splice_rows(tmp_path / "xml.xlsx", ws, exporter._ascii(rows), 1 + len(cells))

    want = openpyxl.load_workbook(tmp_path / "cells.xlsx").active
    got = openpyxl.load_workbook(tmp_path / "xml.xlsx").active
    assert got.max_row == 1 + len(cells)
    for n in range(len(cells)):
        a, b = want.cell(row=2 + n, column=1 + n % 3), got.cell(row=2 + n, column=1 + n % 3)
        assert (b.value, b.data_type, b.number_format, b.quotePrefix) == (a.value, a.data_type, a.number_format,
                                                                          a.quotePrefix), values[n]
        assert [repr(x) for x in (b.font, b.fill, b.border, b.alignment)] == \
            [repr(x) for x in (a.font, a.fill, a.border, a.alignment)], values[n]
    assert got["B3"].value == "a & b < c > d \"引号\" '单引号'" and got["D5"].value is None
    # Excel trims a cell's surrounding spaces unless told to keep them, as openpyxl tells it
    preserved = [zipfile.ZipFile(tmp_path / name).read("xl/worksheets/sheet1.xml").count(b'xml:space="preserve"')
                 for name in ("cells.xlsx", "xml.xlsx")]
    assert preserved[0] == preserved[1] > 0

# -- the 统计 sheet ---------------------------------------------------------------------------


def test_stats_sheet_counts_per_lead_unit_and_per_light(four, tmp_path):
    path = tmp_path / "t.xlsx"
    ws = export(four, path, scope="在办事项")["统计"]
    assert ws["A1"].value == "督查室督办事项统计（截至2026年11月20日）"
    assert ws["A2"].value.startswith("导出范围：在办事项；共 4 项。")
    assert rows(ws, 4)[:6] == [
        ("牵头单位", "牵头事项", "红灯", "黄灯", "蓝灯", "绿灯", "不亮灯", "配合事项"),
        ("市交通运输局", 1, 1, 0, 0, 0, 0, 1),
        ("市住房和城乡建设局", 1, 0, 1, 0, 0, 0, 1),
        ("市财政局", 1, 0, 0, 0, 1, 0, 1),
        ("（未交办）", 1, 0, 0, 0, 0, 1, 0),
        ("合计", 4, 1, 1, 0, 1, 1, 3),
    ]
    assert [r[:3] for r in rows(ws, 11)[:7]] == [
        ("亮灯", "事项数", "占比"),
        ("红灯", 1, 0.25), ("黄灯", 1, 0.25), ("蓝灯", 0, 0), ("绿灯", 1, 0.25), ("不亮灯", 1, 0.25),
        ("合计", 4, 1),
    ]
    assert ws["C12"].number_format == "0.0%"


def test_stats_sheet_has_a_native_stacked_bar_chart_of_the_units(four, tmp_path):
    path = tmp_path / "t.xlsx"
    ws = export(four, path)["统计"]
    charts = ws._charts
    assert len(charts) == 1
    chart = charts[0]
    assert (chart.tagname, chart.type, chart.grouping) == ("barChart", "col", "stacked")
    assert len(chart.series) == 5
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/charts/chart1.xml").decode()
    assert "<c:barChart>" in xml or "<barChart>" in xml
    assert "'统计'!$A$5:$A$8" in xml  # the four lead units are the categories
    assert "FF0000" in xml and "00B050" in xml  # series coloured as their lights
    # under the tables (which end on row 17), after a page break so that it never prints cut in two
    assert chart.anchor._from.row + 1 == 19
    assert [b.id for b in ws.row_breaks.brk] == [18]


def test_empty_export_has_headers_and_no_chart(ledger, tmp_path):
    wb = export(ledger, tmp_path / "空.xlsx")
    ws = wb["台账"]
    assert [c.value for c in ws[2]] == HEADERS
    assert ws.max_row == 2 and ws.auto_filter.ref == "A2:M2"
    assert wb["统计"]._charts == []
    assert rows(wb["统计"], 5)[0][:2] == ("合计", 0)


# -- formula injection ----------------------------------------------------------------------

DANGEROUS = ["=1+1", "+SUM(A1:A9)", "-2+3 路灯不亮", "@SUM(1)", "=HYPERLINK(\"http://x.invalid\",\"点我\")", "#N/A"]


def dangerous_ledger(ledger) -> Ledger:
    """Six public-request items whose text looks like formulas; the first also in 文号, 牵头领导 and 进展."""
    first = None
    for title in DANGEROUS:
        view = ledger.create(title, Source.PUBLIC_REQUEST, lead="住建局", within=10,
                             ref=None if first else "\t=2*3", leader=None if first else "\r=cmd|' /C calc'!A0")
        first = first or view.item.id
    ledger.feedback(first, "住建局", "=WEBSERVICE(\"http://x.invalid\")")
    return ledger


def test_text_that_looks_like_a_formula_stays_text(ledger, tmp_path):
    led = dangerous_ledger(ledger)
    path = tmp_path / "群众诉求.xlsx"
    ws = export(led, path)["台账"]
    for r, title in enumerate(DANGEROUS, start=3):
        cell = ws.cell(row=r, column=2)
        assert (cell.value, cell.data_type) == (title, "s")
    for coordinate, text in (("D3", "\t=2*3"), ("E3", "\r=cmd|' /C calc'!A0"),
                             ("L3", "2026-11-16 市住房和城乡建设局：=WEBSERVICE(\"http://x.invalid\")")):
        assert (ws[coordinate].value, ws[coordinate].data_type) == (text, "s")
    assert ws["B3"].quotePrefix and ws["D3"].quotePrefix and not ws["B8"].quotePrefix
    with zipfile.ZipFile(path) as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode()


def test_control_characters_are_dropped_not_fatal(ledger, tmp_path):
    ledger.create("路灯\x07不亮\x1b", Source.PUBLIC_REQUEST, lead="住建局", within=5)
    ws = export(ledger, tmp_path / "t.xlsx")["台账"]
    assert ws["B3"].value == "路灯不亮"


def test_display_width_counts_chinese_as_two():
    assert [display_width(t) for t in ("市交通运输局", "ABC", "（〔2026〕）", "")] == [12, 3, 12, 0]
    assert len(COLUMNS) == len(HEADERS) and [c[0] for c in COLUMNS] == HEADERS


# -- LibreOffice ----------------------------------------------------------------------------


def libreoffice_csv(path: Path, outdir: Path, profile: Path) -> dict[str, list[list[str]]]:
    """Convert every sheet of ``path`` to UTF-8 CSV, cells as shown, with LibreOffice headless."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    # separator , / quote " / UTF-8 / from line 1 / … / save cell contents as shown / every sheet (-1)
    csv_filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
    done = subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", csv_filter, "--outdir", str(outdir), str(path)],
        capture_output=True, text=True, timeout=180,
    )
    assert done.returncode == 0, done.stderr
    sheets = {}
    for name in ("台账", "统计"):
        out = outdir / f"{path.stem}-{name}.csv"
        assert out.exists(), (done.stdout, done.stderr, list(outdir.iterdir()))
        with open(out, encoding="utf-8", newline="") as fh:
            sheets[name] = list(csv.reader(fh))
    return sheets


def test_libreoffice_opens_the_export_and_keeps_the_text(four, tmp_path):
    led = dangerous_ledger(four)
    path = tmp_path / "台账.xlsx"
    write_ledger_xlsx(led, path, led.list_items())
    sheets = libreoffice_csv(path, tmp_path / "csv", tmp_path / "lo-profile")
    ledger_rows = sheets["台账"]
    assert ledger_rows[0][0] == "督查室督办事项台账（截至2026年11月20日）"
    assert ledger_rows[1] == HEADERS
    assert ledger_rows[2] == ["1", "推进城区主干道综合整治", "领导批示", "市委批示〔2026〕12号", "张副市长", "市交通运输局",
                              "市财政局", "2026年11月18日", "办理中", "红灯", "逾期2",
                              "2026-11-16 市交通运输局：已完成招标（完成40%）", "1"]
    assert [r[10] for r in ledger_rows[3:5]] == ["剩2", "剩29"]
    titles = [r[1] for r in ledger_rows[2:]]
    for title in DANGEROUS:  # not evaluated: "=1+1" is not 2, "#N/A" is not an error
        assert title in titles
    dangerous_row = ledger_rows[2 + titles.index("=1+1")]
    assert dangerous_row[3:5] == ["\t=2*3", "\r=cmd|' /C calc'!A0"]
    stats = sheets["统计"]
    assert stats[3][:8] == ["牵头单位", "牵头事项", "红灯", "黄灯", "蓝灯", "绿灯", "不亮灯", "配合事项"]
    assert ["合计", "10", "1", "1", "0", "7", "1", "3"] in [r[:8] for r in stats]


# -- the command ------------------------------------------------------------------------------


@pytest.fixture
def cli(units):
    """The CLI ledger of ``units`` with a red, a yellow, a green and a closed item (looked at on 11-20)."""
    for args in (["推进城区主干道综合整治", "--lead", "交通局", "--co", "财政局", "--due", "2026-11-18"],
                 ["老旧小区改造", "--lead", "住建局", "--due", "2026-11-24"],
                 ["预算绩效评价", "--lead", "财政局", "--due", "2026-12-31"],
                 ["已办结的事项", "--lead", "财政局", "--due", "2026-12-31"]):
        ok(units("create", *args, "--source", "领导批示"))
    ok(units("close", "4", "--result", "已完成"))
    return units


def test_export_command_writes_the_open_items_and_says_so(cli, tmp_path):
    path = tmp_path / "台账.xlsx"
    out = ok(cli("export", str(path), today="2026-11-20"))
    assert out == f"已导出 3 项督办事项到 {path}\n"
    wb = openpyxl.load_workbook(path)
    assert [r[1] for r in rows(wb["台账"], 3)] == ["推进城区主干道综合整治", "老旧小区改造", "预算绩效评价"]
    assert wb["统计"]["A2"].value.startswith("导出范围：在办事项；共 3 项。")


def test_export_light_filter_exports_only_red_items(cli, tmp_path):
    path = tmp_path / "红灯.xlsx"
    assert ok(cli("export", str(path), "--light", "red", today="2026-11-20")) == f"已导出 1 项督办事项到 {path}\n"
    wb = openpyxl.load_workbook(path)
    assert [(r[1], r[9]) for r in rows(wb["台账"], 3)] == [("推进城区主干道综合整治", "红灯")]
    assert wb["统计"]["A2"].value.startswith("导出范围：在办事项，亮灯：红灯；共 1 项。")


def test_export_filters_match_list(cli, tmp_path):
    for args in (["--unit", "财政局"], ["--all"], ["--status", "已销号"], ["--due-before", "2026-11-25"],
                 ["--light", "黄"], ["--light", "none", "--all"]):
        path = tmp_path / "t.xlsx"
        ok(cli("export", str(path), *args, today="2026-11-20"))
        listed = [r["id"] for r in json.loads(ok(cli("list", *args, "--format", "json", today="2026-11-20")))]
        exported = [r[12] for r in rows(openpyxl.load_workbook(path)["台账"], 3)]
        assert exported == listed, args
    ok(cli("export", str(path), "--all", today="2026-11-20"))
    assert [r[8] for r in rows(openpyxl.load_workbook(path)["台账"], 3)][-1] == "已销号"


def test_export_replaces_an_existing_file(cli, tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(b"old contents")
    ok(cli("export", str(path), today="2026-11-20"))
    assert openpyxl.load_workbook(path)["台账"].max_row == 5
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".db" and not p.name.endswith(("-wal", "-shm"))) \
        == ["台账.xlsx"]


def test_a_failure_while_saving_leaves_the_old_file_intact(cli, tmp_path, monkeypatch):
    from openpyxl.workbook.workbook import Workbook

    path = tmp_path / "台账.xlsx"
    path.write_bytes(b"yesterday's ledger")

    def half_then_disk_full(self, filename):
        Path(filename).write_bytes(b"PK\x03\x04 half a zip")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Workbook, "save", half_then_disk_full)
    line = one_error(cli("export", str(path), today="2026-11-20"), 1)
    assert "磁盘已满" in line
    assert path.read_bytes() == b"yesterday's ledger"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("name", ["台账.csv", "台账", "台账.xls", "台账.xlsx.bak"])
def test_a_path_not_ending_in_xlsx_is_a_usage_error(cli, tmp_path, name):
    line = one_error(cli("export", str(tmp_path / name)), 2)
    assert line == f"错误：导出文件须以 .xlsx 结尾，收到“{tmp_path / name}”（如 duban export 台账.xlsx）"
    assert not (tmp_path / name).exists()


def test_upper_case_extension_is_accepted(cli, tmp_path):
    ok(cli("export", str(tmp_path / "TAIZHANG.XLSX")))
    assert (tmp_path / "TAIZHANG.XLSX").exists()


def test_a_missing_directory_is_a_clear_error_and_writes_nothing(cli, tmp_path):
    target = tmp_path / "没有这个目录" / "台账.xlsx"
    line = one_error(cli("export", str(target)), 1)
    assert line == f"错误：无法导出到 {target}：目录不存在：{target.parent}（未写入任何文件）"
    assert not target.parent.exists()


def test_a_directory_named_like_the_file_is_refused(cli, tmp_path):
    target = tmp_path / "台账.xlsx"
    target.mkdir()
    line = one_error(cli("export", str(target)), 1)
    assert line == f"错误：无法导出到 {target}：{target} 是目录，不能作为输出文件（未写入任何文件）"
    assert target.is_dir() and not any(target.iterdir())


def test_a_bad_filter_is_a_usage_error_and_writes_nothing(cli, tmp_path):
    path = tmp_path / "t.xlsx"
    assert "--light" in one_error(cli("export", str(path), "--light", "purple"), 2)
    assert "未找到单位“市卫健委”" in one_error(cli("export", str(path), "--unit", "市卫健委"), 1)
    assert not path.exists()


def test_export_help_shows_an_example_and_what_all_means(cli):
    out = ok(cli("export", "--help"))
    assert "示例：duban export 台账.xlsx" in out
    assert "已销号和已撤销" in out


def test_the_command_module_does_not_load_openpyxl():
    code = "import sys, duban.commands.export, duban.exporter; print('openpyxl' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    assert done.stdout.strip() == "False", done.stderr
