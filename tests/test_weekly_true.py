"""报告如实 (issue #12), the weekly 专报: every sentence true on its end date, units in ranking order, an
issued 期 reproducible, one year per issue, numbers refused or warned about, none used up by a failed
run; and its layout (GB/T 9704-2012 as it applies to a 简报).

Working days (2026): plain Monday–Friday weeks from 10-12 on.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from duban import docx_util, reports, weekly, weekly_doc
from duban.ledger import Ledger
from duban.models import Channel, EscalationKind, ItemClass, Light, Source

D = dt.date.fromisoformat


def on(led: Ledger, day: str) -> Ledger:
    led.today = D(day)
    return led


def report(led: Ledger, week: str) -> weekly.Weekly:
    return weekly.weekly(led, reports.week(week, led.today), 1)


# -- every sentence true on the report's end date ---------------------------------------------------------


def chased(led: Ledger) -> Ledger:
    on(led, "2026-10-12").create("老旧小区改造", Source.LEADER_INSTRUCTION, lead="住建局", due=D("2026-11-06"))
    assert [r.level for r in on(led, "2026-11-09").remind(Channel.SYSTEM)] == [1]
    assert [r.level for r in on(led, "2026-11-13").remind(Channel.SYSTEM)] == [2]
    return led


def test_a_unit_chased_for_an_item_still_open_is_said_to_be(ledger):
    chased(ledger)
    w = report(on(ledger, "2026-11-16"), "2026-W46")
    assert "催办后落实不力。本周市住房和城乡建设局被催办2次（#1“老旧小区改造”），截至本期统计日仍未按要求办结或反馈。" \
        in w.problems


def test_a_unit_whose_item_closed_is_not_said_to_be_chased_without_result(ledger):
    chased(ledger).close(1, "已完工")                                       # closed on 11-13, after the 督办单
    w = report(on(ledger, "2026-11-16"), "2026-W46")
    assert not any("催办" in p for p in w.problems), w.problems


def test_a_unit_that_answered_after_the_chase_is_not_said_to_be_chased_without_result(ledger):
    chased(ledger).feedback(1, "住建局", "已进场施工", 60)
    w = report(on(ledger, "2026-11-16"), "2026-W46")
    assert not any("催办后落实不力" in p for p in w.problems), w.problems


def test_units_that_have_not_signed_are_named_in_the_problems(ledger):
    """签收 is tracked (issue #13): a unit that neither signed nor reported within sign_within_workdays."""
    on(ledger, "2026-11-09")
    ledger.create("未签收事项", Source.DOCUMENT, lead="财政局", due=D("2026-12-31"))
    ledger.create("已签收事项", Source.DOCUMENT, lead="交通局", due=D("2026-12-31"))
    ledger.sign(2, "交通局")
    w = report(on(ledger, "2026-11-16"), "2026-W47")
    assert "交办后未及时签收。市财政局（1项）的交办事项超过规定时限仍未签收。" in w.problems
    on(ledger, "2026-11-17").sign(1, "财政局")
    w = report(on(ledger, "2026-11-23"), "2026-W48")
    assert not any("签收" in p for p in w.problems), w.problems


def test_slow_key_items_lists_only_key_items_by_number_and_short_title(ledger):
    on(ledger, "2026-10-12")
    ledger.create("常规事项", Source.DOCUMENT, lead="财政局", due=D("2026-11-02"))
    ledger.create("城区主干道改造提升及配套管网建设工程", Source.LEADER_INSTRUCTION, klass=ItemClass.KEY,
                  lead="交通局", due=D("2026-11-06"))
    w = report(on(ledger, "2026-11-16"), "2026-W47")
    assert w.problems[1] == "重点事项推进缓慢。#2“城区主干道改造提升及配…”（市交通运输局牵头）逾期6个工作日。"
    assert weekly.short_title("城区主干道改造提升及配套管网建设工程") == "城区主干道改造提升及配…"   # 12 characters


def test_a_key_item_past_its_deadline_only_by_days_off_is_said_to_be_past_it_not_0_days_late(ledger):
    """Due Friday 12-04, reported on Saturday 12-05: red, but no working day late yet (as the tables say)."""
    on(ledger, "2026-11-16").create("城区主干道改造", Source.LEADER_INSTRUCTION, klass=ItemClass.KEY, lead="交通局",
                                    due=D("2026-12-04"))
    w = report(on(ledger, "2026-12-05"), "2026-W49")
    assert "重点事项推进缓慢。#1“城区主干道改造”（市交通运输局牵头）已过期限。" in w.problems, w.problems
    assert not any("逾期0个工作日" in p for p in w.problems)


def test_the_unit_table_follows_the_ranking_not_the_completion_rate(ledger):
    on(ledger, "2026-10-12")
    ledger.create("交通局事项", Source.DOCUMENT, lead="交通局", due=D("2026-10-23"))
    ledger.create("财政局事项", Source.DOCUMENT, lead="财政局", due=D("2026-12-31"))
    on(ledger, "2026-11-04").escalate(1, EscalationKind.LISTED, "交通局", "挂牌督办")
    ledger.escalate(1, EscalationKind.INTERVIEW, "交通局", "约谈")
    on(ledger, "2026-11-09").close(1, "已完成")                                  # 11 working days late
    w = report(on(ledger, "2026-11-16"), "2026-W46")
    # 交通局: 100% closed but 100 − 2 − 11 × 0.5 − 5 − 5 = 82.5; 财政局: nothing closed, nothing lost, 100
    assert [(g.group, g.completion_rate, w.scores.get(g.group, 100)) for g in w.units] == [
        ("市财政局", 0.0, 100), ("市交通运输局", 1.0, 82.5)]


def test_paused_days_are_not_overdue_days_in_the_lit_items(ledger):
    on(ledger, "2026-10-12").create("债务化解", Source.DOCUMENT, lead="财政局", due=D("2026-10-14"))
    on(ledger, "2026-10-16").pause(1, "等待上级政策")
    on(ledger, "2026-11-09").resume(1)
    w = report(on(ledger, "2026-11-16"), "2026-W47")
    # 10-15, 10-16, then 11-10..13 and 11-16: 7, not the 23 working days since the deadline
    assert [(x.item_id, x.late_workdays, x.state) for x in w.lit] == [(1, 7, "逾期7个工作日")]


def test_a_missed_milestone_is_called_a_milestone_lateness(ledger):
    on(ledger, "2026-11-02").create("节点测试", Source.OTHER, klass=ItemClass.KEY, lead="交通局", due=D("2026-12-31"),
                                    milestones=[(D("2026-11-20"), "完成招标")])
    on(ledger, "2026-11-27").feedback(1, "交通局", "进行中", percent=50)
    w = report(ledger, "2026-W48")
    assert [(x.item_id, x.due, x.state) for x in w.lit] == [(1, D("2026-12-31"), "节点逾期5个工作日")]
    assert w.problems[1] == "重点事项推进缓慢。#1“节点测试”（市交通运输局牵头）节点逾期5个工作日。"


# -- an issued 期 is reproducible; one year rules it; numbers -----------------------------------------------


def issued(db_path: str) -> list[tuple]:
    db = sqlite3.connect(db_path)
    try:
        return db.execute("SELECT r.period, r.issue_no, i.year, i.start, i.as_of FROM reports r"
                          " JOIN report_issues i USING (kind, period) ORDER BY r.issue_no").fetchall()
    finally:
        db.close()


def contents(path: Path) -> tuple[list[str], list]:
    from docx import Document

    doc = Document(str(path))
    return [p.text for p in doc.paragraphs], [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]


def sheet(path: Path) -> list[tuple]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    try:
        return [row for ws in wb.worksheets for row in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


@pytest.fixture
def week47(units):
    units("create", "老旧小区改造", "--source", "领导批示", "--lead", "住建局", "--due", "2026-11-17", today="2026-11-02")
    units("create", "道路修复", "--source", "领导批示", "--lead", "交通局", "--due", "2026-11-19", today="2026-11-02")
    return units


STEM = "督查专报2026年第1期（2026-W47）"


def test_an_issued_week_generated_again_gives_the_same_dates_and_figures(week47, tmp_path):
    out = tmp_path / "out"
    first = week47("report", "weekly", "--out", str(out), today="2026-11-18")
    assert first.exit_code == 0, first.output
    assert "（2026-11-16 至 2026-11-18）" in first.stdout
    before_doc, before_xlsx = contents(out / f"{STEM}.docx"), sheet(out / f"{STEM}台账.xlsx")
    # later that week and the next: #1 goes red, #2 is closed, a new item comes in
    week47("close", "2", "--result", "已修复", today="2026-11-19")
    week47("create", "新增事项", "--source", "领导批示", "--lead", "财政局", "--due", "2026-12-31", today="2026-11-20")
    shutil.rmtree(out)
    again = week47("report", "weekly", "--week", "2026-W47", "--out", str(out), today="2026-11-25")
    assert again.exit_code == 0, again.output
    assert "（2026-11-16 至 2026-11-18）" in again.stdout
    assert again.stderr == ("2026-W47 已于 2026-11-18 印发为2026年第1期，按原统计截止日 2026-11-18 重新生成，"
                            "日期和数字与原期相同；如需按今天的台账重算，请加 --refresh\n")
    assert contents(out / f"{STEM}.docx") == before_doc
    assert sheet(out / f"{STEM}台账.xlsx") == before_xlsx
    assert issued(os.environ["DUBAN_DB"]) == [("2026-W47", 1, 2026, "2026-11-16", "2026-11-18")]

    refreshed = week47("report", "weekly", "--week", "2026-W47", "--refresh", "--out", str(out), today="2026-11-25")
    assert refreshed.exit_code == 0, refreshed.output
    assert "（2026-11-16 至 2026-11-22）" in refreshed.stdout
    assert refreshed.stderr == "已按今天（2026-11-25）的台账重算2026年第1期（2026-W47），统计截至 2026-11-22（原截至 2026-11-18）\n"
    paras, _ = contents(out / f"{STEM}.docx")
    assert paras[2] == "督查室\t2026年11月22日"
    assert issued(os.environ["DUBAN_DB"]) == [("2026-W47", 1, 2026, "2026-11-16", "2026-11-22")]


def test_one_year_rules_an_issue(units, tmp_path):
    out = tmp_path / "out"
    result = units("report", "weekly", "--week", "2026-W53", "--out", str(out), today="2027-01-01")
    assert result.exit_code == 0, result.output
    # numbered in 2027, the year of its as-of date, and its 今年以来 figures count from 2027-01-01
    assert (out / "督查专报2027年第1期（2026-W53）.docx").exists()
    paras, _ = contents(out / "督查专报2027年第1期（2026-W53）.docx")
    assert paras[1] == "2027年第1期"
    assert paras[paras.index("一、总体情况") + 1].startswith("2027年以来，")
    assert issued(os.environ["DUBAN_DB"]) == [("2026-W53", 1, 2027, "2026-12-28", "2027-01-01")]


def test_issue_on_an_issued_week_is_refused_unless_renumber(week47, tmp_path):
    out = tmp_path / "out"
    assert week47("report", "weekly", "--out", str(out), today="2026-11-20").exit_code == 0
    before = sorted(p.name for p in out.iterdir())
    refused = week47("report", "weekly", "--week", "2026-W47", "--issue", "5", "--out", str(out), today="2026-11-20")
    assert refused.exit_code == 1
    assert refused.stderr == "错误：2026-W47 已印发为2026年第1期；如确需改为第5期，请加 --renumber\n"
    assert sorted(p.name for p in out.iterdir()) == before
    assert issued(os.environ["DUBAN_DB"]) == [("2026-W47", 1, 2026, "2026-11-16", "2026-11-20")]
    alone = week47("report", "weekly", "--renumber", "--out", str(out), today="2026-11-20")
    assert alone.exit_code == 2 and "--renumber 须与 --issue 一起使用" in alone.stderr
    renumbered = week47("report", "weekly", "--week", "2026-W47", "--issue", "5", "--renumber", "--out", str(out),
                        today="2026-11-20")
    assert renumbered.exit_code == 0, renumbered.output
    assert "2026-W47 由2026年第1期改为第5期" in renumbered.stderr
    assert (out / "督查专报2026年第5期（2026-W47）.docx").exists()
    assert issued(os.environ["DUBAN_DB"]) == [("2026-W47", 5, 2026, "2026-11-16", "2026-11-20")]


def test_a_week_generated_out_of_order_is_warned_about(week47, tmp_path):
    out = tmp_path / "out"
    assert week47("report", "weekly", "--week", "2026-W47", "--out", str(out), today="2026-12-07").exit_code == 0
    assert week47("report", "weekly", "--week", "2026-W49", "--out", str(out), today="2026-12-07").exit_code == 0
    late = week47("report", "weekly", "--week", "2026-W48", "--out", str(out), today="2026-12-07")
    assert late.exit_code == 0, late.output
    assert late.stderr == ("提示：2026-W48 在已印发的 2026-W49（第2期）之后才生成，编为第3期；"
                           "按周次它排在第1期（2026-W47）与第2期（2026-W49）之间\n")
    assert [(p, n) for p, n, *_ in issued(os.environ["DUBAN_DB"])] == [("2026-W47", 1), ("2026-W49", 2), ("2026-W48", 3)]


def test_a_failed_run_uses_up_no_number(week47, tmp_path):
    out = tmp_path / "out"
    (out / f"{STEM}台账.xlsx").mkdir(parents=True)           # the 台账 cannot be written there
    failed = week47("report", "weekly", "--out", str(out), today="2026-11-20")
    assert failed.exit_code == 1
    assert failed.stderr.startswith("错误：")
    assert issued(os.environ["DUBAN_DB"]) == []
    assert sorted(p.name for p in out.iterdir()) == [f"{STEM}台账.xlsx"]   # no half issue left behind
    (out / f"{STEM}台账.xlsx").rmdir()
    assert week47("report", "weekly", "--out", str(out), today="2026-11-20").exit_code == 0
    assert issued(os.environ["DUBAN_DB"])[0][:2] == ("2026-W47", 1)


# -- layout: GB/T 9704-2012 as it applies to a 简报 -----------------------------------------------------------


@pytest.fixture
def doc(week47, tmp_path):
    week47("escalate", "1", "--kind", "督办单", "--unit", "住建局", today="2026-11-19")
    week47("escalate", "2", "--kind", "挂牌督办", "--unit", "交通局", today="2026-11-27")
    out = tmp_path / "out"
    assert week47("report", "weekly", "--out", str(out), today="2026-12-15").exit_code == 0
    from docx import Document

    path = out / "督查专报2026年第1期（2026-W51）.docx"
    return path, Document(str(path))


def test_the_title_is_set_on_two_whole_lines(doc):
    _, d = doc
    title = next(p for p in d.paragraphs if p.text.startswith("督办事项办理情况通报"))
    assert title.text == "督办事项办理情况通报\n（12月14日—12月15日）"
    for line in title.text.split("\n"):      # 二号 (22 pt): 20 characters to a 156 mm line
        assert docx_util.text_mm(line, docx_util.SIZE_TITLE) <= docx_util.TEXT_WIDTH_MM


def test_dates_in_running_text_are_written_in_chinese(doc):
    _, d = doc
    text = "\n".join(p.text for p in d.paragraphs)
    assert not re.search(r"\d{4}-\d{1,2}-\d{1,2}", text)
    assert "截至2026年12月15日" in text and "本周（2026年12月14日至2026年12月15日）" in text


def test_table_headers_and_dates_never_break_and_rows_never_split(doc):
    from docx.oxml.ns import qn

    _, d = doc
    tables = [t for t in d.tables if t._tbl.tblPr.find(qn("w:tblpPr")) is None]
    assert [[c.text for c in t.rows[0].cells] for t in tables] == [
        [h for h, _ in weekly_doc.LIT_COLUMNS], [h for h, _ in weekly_doc.UNIT_COLUMNS]]
    for t, columns in zip(tables, (weekly_doc.LIT_COLUMNS, weekly_doc.UNIT_COLUMNS)):
        assert sum(w for _, w in columns) == docx_util.TEXT_WIDTH_MM
        for row in t.rows:
            trpr = row._tr.trPr
            assert trpr is not None and trpr.find(qn("w:cantSplit")) is not None
            for cell, (header, width) in zip(row.cells, columns):
                if row is t.rows[0] or re.fullmatch(r"\d{4}-\d{2}-\d{2}|[\d.]+%?|#\d+|挂牌\n督办|督办单|—", cell.text):
                    assert docx_util.fits(cell.text, width, weekly_doc.TABLE_SIZE), (header, cell.text)
        assert t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert [[c.text for c in row.cells][5:] for row in tables[0].rows[1:]] == [
        ["2026-11-17", "逾期20个\n工作日", "督办单"], ["2026-11-19", "逾期18个\n工作日", "挂牌\n督办"]]


def test_the_imprint_sits_at_the_foot_between_black_rules(doc):
    from docx.oxml.ns import qn

    _, d = doc
    imprint = d.tables[-1]
    position = imprint._tbl.tblPr.find(qn("w:tblpPr"))
    assert (position.get(qn("w:vertAnchor")), position.get(qn("w:tblpYSpec"))) == ("margin", "bottom")
    paras = imprint.rows[0].cells[0].paragraphs
    assert [p.text for p in paras] == ["报：市委、市政府主要领导，分管领导。", "送：各责任单位。", "督查室\t2026年12月15日印发"]

    def rules(p):
        borders = p._p.pPr.find(qn("w:pBdr"))
        return [(b.tag.rsplit("}")[1], b.get(qn("w:sz")), b.get(qn("w:color"))) for b in borders] if borders is not None else []

    assert [rules(p) for p in paras] == [[("top", "8", "000000")], [("bottom", "6", "000000")],
                                         [("bottom", "8", "000000")]]
    tab = paras[-1].paragraph_format.tab_stops[0]
    assert tab.alignment == 2  # right (WD_TAB_ALIGNMENT.RIGHT): the 印发 date ends one character in
    assert d.paragraphs[-1].text == ""   # the anchor after it


def test_page_numbers_are_on_the_outer_side(doc):
    _, d = doc
    section = d.sections[0]
    assert d.settings.odd_and_even_pages_header_footer
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert (odd.alignment, even.alignment) == (2, 0)   # right, left
    for p in (odd, even):
        assert p.text == "— 1 —" and "PAGE" in p._p.xml   # “— N —”: the PAGE field, 1 until laid out


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice (soffice) or pdftotext is not installed")
def test_libreoffice_lays_the_report_out_as_issued(doc, tmp_path):
    path, _ = doc
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(path)], check=True, timeout=180, capture_output=True)
    pdf = tmp_path / f"{path.stem}.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=60).stdout
    lines = [re.sub(r"\s+", "", line) for line in text.splitlines() if line.strip()]
    assert "（12月14日—12月15日）" in lines                        # the title's second line, whole
    assert not any(line in ("日）", "号", "别", "限") for line in lines)
    assert not any(re.search(r"\d{4}-\d{1,2}-$", line) for line in lines)   # no date broken at its end
    bbox = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, timeout=60).stdout
    pages = bbox.split("<page ")[1:]
    last = pages[-1]
    height = float(re.search(r'height="([\d.]+)"', last)[1])
    issued_at = [float(y) for y in re.findall(r'yMax="([\d.]+)">[^<]*印发', last)]
    # the 印发 line ends the text area (35 mm from the foot: 99 pt), not wherever the text stopped
    assert issued_at and height - 99 - 30 < issued_at[-1] <= height - 99 + 5
    width = float(re.search(r'width="([\d.]+)"', pages[0])[1])
    for n, page in enumerate(pages, 1):
        number = [float(x) for x in re.findall(rf'xMin="([\d.]+)"[^>]*>{n}</word>', page)]
        assert number, f"no page number on page {n}"
        assert (number[-1] > width / 2) == (n % 2 == 1)       # odd pages right, even pages left


@pytest.mark.parametrize(("title", "short"), [
    ("老旧小区改造", "老旧小区改造"),
    ("12345热线工单（2611150032）：幸福路夜间渣土车噪声扰民", "幸福路夜间渣土车噪声扰民"),
    ("关于加快推进既有住宅加装电梯工作的批示", "加快推进既有住宅加装电…"),
    ("市政协委员第0089号提案：关于加强校外培训机构规范管理的提案", "加强校外培训机构规范管理"),
])
def test_short_titles_keep_the_substance(title, short):
    assert weekly.short_title(title) == short


def test_the_same_step_on_the_same_day_counts_once_in_the_report(ledger):
    chased(ledger).escalate(1, EscalationKind.SUPERVISION_NOTICE, "住建局", "下达督办单")   # 11-13, as remind did
    on(ledger, "2026-11-16")
    w = report(ledger, "2026-W46")
    assert weekly_doc.chase_text(w) == "本周催办1次，下达督办单1份，挂牌督办0件。"
    assert "催办后落实不力。本周市住房和城乡建设局被催办2次（#1“老旧小区改造”），截至本期统计日仍未按要求办结或反馈。" \
        in w.problems


def test_late_progress_reports_count_red_items_too(ledger):
    on(ledger, "2026-09-01")
    # 速办: a progress report every 3 working days (seeds/003:L469); nothing reported since 09-01
    ledger.create("路灯抢修", Source.PUBLIC_REQUEST, klass=ItemClass.QUICK, lead="交通局", due=D("2026-12-31"))
    ledger.create("井盖更换", Source.PUBLIC_REQUEST, klass=ItemClass.QUICK, lead="财政局", due=D("2026-11-13"))
    w = report(on(ledger, "2026-11-16"), "2026-W47")
    assert [(x.item_id, x.light) for x in w.lit] == [(2, Light.RED), (1, Light.YELLOW)]
    assert "进展报送不及时。#1“路灯抢修”、#2“井盖更换”2件事项未按规定频次报送办理进展。" in w.problems


# -- 减负: one line on what the office itself demanded of the units (issue #18) ---------------------------


def test_the_report_says_what_the_office_demanded_of_the_units_this_week(ledger):
    chased(ledger)                                          # 住建局: chased 11-09 and 11-13, one open item
    w = report(on(ledger, "2026-11-16"), "2026-W46")
    assert w.burden == ("减负情况：本周督办工作对3个责任单位提出的要求（催办、督办、进展反馈、报表和在办事项）合计3项次，"
                        "各单位均未超过减负上限（每周15项次）。")
    ledger.set_setting("burden_limit", "2")
    w = report(ledger, "2026-W46")
    assert w.burden.endswith("；市住房和城乡建设局（3项次）1个单位超过减负上限（每周2项次）。")
