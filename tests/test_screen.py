"""一块屏幕 (issue #18): ``duban screen`` writes one self-contained HTML page.

The figures are checked twice: by hand on a small ledger (the 12-week trend counted in the
comments), and in a real browser (headless Chromium, skipped where absent) against
``report stats``, ``report ranking`` and ``list`` in JSON on the example ledger.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from example_ledger import TODAY as EXAMPLE_TODAY
from example_ledger import copy_example


def ok(result):
    assert result.exit_code == 0, result.output
    return result


class Dom(HTMLParser):
    """The elements carrying data-* attributes, with their text."""

    def __init__(self, text: str):
        super().__init__()
        self.stack: list[tuple[str, dict]] = []
        self.found: list[tuple[str, dict, list[str]]] = []
        self.meta: list[dict] = []
        self.tags: set[str] = set()
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.add(tag)
        if tag == "meta":
            self.meta.append(attrs)
        if tag in ("meta", "link", "img", "br", "col", "input"):
            return
        entry = (tag, attrs, [])
        self.stack.append(entry)
        self.found.append(entry)

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        for _, _, texts in self.stack:
            texts.append(data)

    def text(self, **attrs) -> list[str]:
        return ["".join(t).strip() for _, a, t in self.found if all(a.get(k) == v for k, v in attrs.items())]

    def rows(self, attr: str) -> list[dict]:
        """Each element with ``attr`` and the data-k texts inside it."""
        rows = []
        for n, (tag, a, _) in enumerate(self.found):
            if attr in a and tag == "tr":
                rows.append({"_": a[attr], **a})
        return rows


def kpi(dom: Dom, key: str) -> str:
    values = dom.text(**{"data-k": key})
    assert values, key
    return values[0]


def pct(value):
    return "—" if value is None else f"{value * 100:.1f}%"


# -- a small ledger counted by hand ----------------------------------------------------------------------
#
# Today 2026-11-20 (Friday of 2026-W47); the twelve weeks are 2026-W36 (08-31) … 2026-W47.
#   #1 A  交通局 lead, created 11-02 (W45), due 11-06, still open            → overdue at the end of W45, W46, W47
#   #2 B  财政局 lead, created 11-02, due 11-06, extended on 11-10 to 11-30  → overdue at the end of W45 only
#   #3 C  住建局 lead, created 11-03, due 11-05, closed 11-12 (W46)          → overdue at the end of W45; closed in W46
#   #4 D  交通局 lead, created 11-16 (W47), due 11-18, paused 11-19          → never counted overdue (paused)
#   #5 E  财政局 lead, created 11-16, due 11-24 → 黄灯 (2 working days left) on 11-20
# new: W45 3, W47 2; closed: W46 1; overdue: W45 3, W46 1, W47 1.

@pytest.fixture
def small(units):
    duban = units
    ok(duban("rules", "set", "office_name", "某市<督查室>"))
    ok(duban("create", "A 道路修复", "--source", "领导批示", "--lead", "交通局", "--due", "2026-11-06", today="2026-11-02"))
    ok(duban("create", "B 资金拨付", "--source", "会议议定", "--lead", "财政局", "--due", "2026-11-06", today="2026-11-02"))
    ok(duban("create", "C <script>alert(1)</script> & 改造", "--source", "领导批示", "--lead", "住建局",
             "--due", "2026-11-05", today="2026-11-03"))
    ok(duban("sign", "2", "--unit", "财政局", today="2026-11-02"))  # signed: no 签收 finding (issue #13)
    ok(duban("extend", "2", "--to", "2026-11-30", "--reason", "等待审批", today="2026-11-10"))
    ok(duban("close", "3", "--result", "已完成", today="2026-11-12"))
    ok(duban("create", "D 临时任务", "--source", "其他", "--lead", "交通局", "--due", "2026-11-18", today="2026-11-16"))
    ok(duban("pause", "4", "--reason", "等待会议研究", today="2026-11-19"))
    ok(duban("create", "E 债务化解", "--source", "文件部署", "--lead", "财政局", "--due", "2026-11-24", today="2026-11-16"))
    ok(duban("sign", "5", "--unit", "财政局", today="2026-11-16"))
    return duban


def test_trend_counts_new_closed_and_overdue_per_week_as_they_stood(small, tmp_path):
    from duban import trend
    from duban.ledger import Ledger
    import datetime as dt
    import os

    led = Ledger.open(os.environ["DUBAN_DB"], today=dt.date(2026, 11, 20))
    weeks = trend.trend(led)
    assert [w.label for w in weeks][0] == "2026-W36" and weeks[-1].label == "2026-W47"
    assert weeks[-1].end == dt.date(2026, 11, 20) and weeks[-2].end == dt.date(2026, 11, 15)
    got = {w.label: (w.new, w.closed, w.red) for w in weeks if (w.new, w.closed, w.red) != (0, 0, 0)}
    assert got == {"2026-W45": (3, 0, 3), "2026-W46": (0, 1, 1), "2026-W47": (2, 0, 1)}
    # the overdue line is what report stats said at the end of each week
    for sunday, expected in (("2026-11-08", 3), ("2026-11-15", 1), ("2026-11-20", 1)):
        records = json.loads(ok(small("report", "stats", "--to", sunday, "--format", "json", today="2026-11-20")).stdout)
        assert records[-1]["overdue"] == expected, sunday


def test_screen_writes_every_figure_into_one_self_contained_page(small, tmp_path):
    out = tmp_path / "大屏.html"
    result = ok(small("screen", "--out", str(out), "--refresh", "120", today="2026-11-20"))
    assert result.stdout.strip() == f"大屏页面已写入 {out}：红灯1项、黄灯1项，3个单位（2026-11-20）"
    text = out.read_text(encoding="utf-8")
    dom = Dom(text)
    # self-contained: no script, nothing fetched
    assert "script" not in dom.tags and "link" not in dom.tags and "img" not in dom.tags
    assert not re.search(r"(?i)(https?:|//[a-z]|src=|@import|url\()", text)
    assert {"http-equiv": "refresh", "content": "120"} in dom.meta
    # escaped: the office name and the title with markup appear as text
    assert "某市&lt;督查室&gt;督办亮灯大屏" in text and "<督查室>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; 改造" not in text  # #3 is closed: not on the lit list
    assert kpi(dom, "date") == "2026年11月20日 星期五"
    assert [kpi(dom, k) for k in ("red", "yellow", "green", "none", "total", "closed")] == ["1", "1", "1", "1", "5", "1"]
    assert [kpi(dom, k) for k in ("completion_rate", "on_time_rate", "progress_rate")] == ["20.0%", "0.0%", "60.0%"]
    lit = [(r["data-id"], r["data-light"]) for r in dom.rows("data-id")]
    assert lit == [("1", "red"), ("5", "yellow")]
    assert dom.text(**{"data-k": "state"}) == ["逾期10个工作日", "剩余2个工作日"]
    assert dom.text(**{"data-k": "level"}) == ["挂牌督办", "提醒"]  # 逾期10个工作日: level 3
    weeks = {(w, s): v for (w, s), v in _week_cells(dom).items()}
    assert weeks[("2026-W45", "new")] == "3" and weeks[("2026-W46", "closed")] == "1"
    assert [weeks[(f"2026-W{n}", "red")] for n in range(36, 48)] == ["0"] * 9 + ["3", "1", "1"]


def _week_cells(dom: Dom) -> dict[tuple[str, str], str]:
    cells = {}
    series = None
    for tag, attrs, texts in dom.found:
        if tag == "tr" and "data-series" in attrs:
            series = attrs["data-series"]
        elif tag == "td" and "data-week" in attrs:
            cells[(attrs["data-week"], series)] = "".join(texts).strip()
    return cells


def test_screen_refuses_a_bad_refresh_and_writes_nothing(small, tmp_path):
    out = tmp_path / "大屏.html"
    result = small("screen", "--out", str(out), "--refresh", "5")
    assert result.exit_code == 2
    assert result.stderr == "错误：--refresh 应为 0（不刷新）或 10 到 86400 秒，收到 5\n"
    assert not out.exists() and list(tmp_path.glob("*.html*")) == []
    missing = small("screen", "--out", str(tmp_path / "无此目录" / "大屏.html"))
    assert missing.exit_code == 1 and missing.stderr.startswith("错误：目录不存在")


def test_screen_without_refresh_has_no_meta_refresh(small, tmp_path):
    out = tmp_path / "s.html"
    ok(small("screen", "--out", str(out), "--refresh", "0", today="2026-11-20"))
    assert "http-equiv" not in out.read_text(encoding="utf-8")


def test_a_unit_chased_on_an_item_it_only_helps_with_keeps_its_row_as_in_report_stats(small, tmp_path):
    # the screen leaves the counts of records out (it shows none), but a unit that leads nothing and
    # was chased still gets its row, as in `report stats --by unit`; a unit neither leading nor chased gets none
    ok(small("unit", "add", "市审计局", "--alias", "审计局"))
    ok(small("unit", "add", "市统计局"))
    ok(small("create", "F 专项审计", "--source", "其他", "--lead", "交通局", "--co", "审计局", "--due", "2026-12-31",
             today="2026-11-16"))
    out = tmp_path / "大屏.html"  # F is 黄灯: not signed for within its working days
    result = ok(small("screen", "--out", str(out), today="2026-11-20"))
    assert result.stdout.strip() == f"大屏页面已写入 {out}：红灯1项、黄灯2项，3个单位（2026-11-20）"
    ok(small("escalate", "6", "--kind", "约谈", "--unit", "审计局", today="2026-11-19"))
    result = ok(small("screen", "--out", str(out), today="2026-11-20"))
    assert result.stdout.strip() == f"大屏页面已写入 {out}：红灯1项、黄灯2项，4个单位（2026-11-20）"
    stats = json.loads(ok(small("report", "stats", "--by", "unit", "--format", "json", today="2026-11-20")).stdout)
    assert [r["group"] for r in stats if r["total"] == 0] == ["市审计局"]
    units = [a["data-unit"] for tag, a, _ in Dom(out.read_text(encoding="utf-8")).found if tag == "tr" and "data-unit" in a]
    assert sorted(units) == sorted(r["group"] for r in stats[:-1]) and "市统计局" not in units


def test_the_screen_lights_each_open_assignment_once(small, monkeypatch):
    # the list, the 督办级别, the statistics and the ranking share one light per open assignment (issue #18:
    # under 2 s at 100k items); before, each lit them again
    import datetime as dt
    import os

    from duban import rules, screen
    from duban.ledger import Ledger

    led = Ledger.open(os.environ["DUBAN_DB"], today=dt.date(2026, 11, 20))
    lit: list[tuple[int, int]] = []
    light = rules.assignment_light
    monkeypatch.setattr(rules, "assignment_light", lambda a, item, *rest: lit.append((item.id, a.unit_id)) or light(a, item, *rest))
    page = screen.gather(led)
    assert sorted(lit) == [(1, 1), (2, 2), (5, 2)]  # #3 is closed, #4 paused
    assert [(r.item_id, r.light) for r in page.lit] == [(1, "red"), (5, "yellow")]
    assert [(r.unit, r.score, r.rank) for r in page.units if r.score is not None] == \
        [(s["unit"], s["score"], s["rank"]) for s in json.loads(ok(small("report", "ranking", "--format", "json",
                                                                      today="2026-11-20")).stdout) if s["role"] == "lead"]


# -- in a real browser, against the JSON reports --------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
BROWSER_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--hide-scrollbars"]


def chromium(*args: str) -> str:
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run([CHROMIUM, *BROWSER_FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="chromium 未安装")
def test_the_example_screen_in_chromium_shows_what_the_json_reports_say(duban, tmp_path, monkeypatch):
    db = copy_example(tmp_path / "示例台账.db")
    monkeypatch.setenv("DUBAN_DB", str(db))
    monkeypatch.setenv("DUBAN_TODAY", EXAMPLE_TODAY)
    out = tmp_path / "大屏.html"
    ok(duban("screen", "--out", str(out)))
    dom = Dom(chromium("--dump-dom", out.as_uri()))
    stats = json.loads(ok(duban("report", "stats", "--by", "unit", "--format", "json")).stdout)
    items = json.loads(ok(duban("list", "--format", "json")).stdout)
    ranking = json.loads(ok(duban("report", "ranking", "--format", "json")).stdout)
    whole = stats[-1]
    assert whole["group"] == "全部"
    assert kpi(dom, "total") == str(whole["total"]) == "17"
    assert kpi(dom, "closed") == str(whole["closed"])
    for key in ("completion_rate", "on_time_rate", "progress_rate"):
        assert kpi(dom, key) == pct(whole[key])
    for light in ("red", "yellow", "green"):
        assert kpi(dom, light) == str(sum(1 for i in items if i["light"] == light))
    assert kpi(dom, "none") == str(sum(1 for i in items if i["light"] is None))
    assert (kpi(dom, "red"), kpi(dom, "yellow")) == ("4", "3")
    # the lit rows: every red and yellow item of `list`, red first, each with its lead unit
    lit = [(int(r["data-id"]), r["data-light"]) for r in dom.rows("data-id")]
    expected = {i["id"]: i for i in items if i["light"] in ("red", "yellow")}
    assert sorted(lit) == sorted((i, x["light"]) for i, x in expected.items())
    assert [light for _, light in lit] == ["red"] * 4 + ["yellow"] * 3
    rows = [(tag, a, "".join(t)) for tag, a, t in dom.found if tag == "tr" and "data-id" in a]
    for _, attrs, text in rows:
        item = expected[int(attrs["data-id"])]
        assert item["title"] in text and item["lead_unit"] in text
        if item["light"] == "red":
            assert f"逾期{item['overdue_workdays']}个工作日" in text
    # per unit: 序时推进率 from stats, score from the ranking
    by_unit = {r["group"]: r for r in stats[:-1]}
    scores = {r["unit"]: r for r in ranking if r["role"] == "lead"}  # the screen ranks units by their lead items
    unit_rows = [(a["data-unit"], n) for n, (tag, a, _) in enumerate(dom.found) if tag == "tr" and "data-unit" in a]
    assert {u for u, _ in unit_rows} >= set(by_unit)
    for unit, n in unit_rows:
        cells: dict[str, str] = {}
        for tag, a, t in dom.found[n + 1:]:
            if tag == "tr":
                break
            if a.get("data-k"):
                cells.setdefault(a["data-k"], "".join(t).strip())
        if unit in by_unit:
            assert cells["progress_rate"] == pct(by_unit[unit]["progress_rate"]), unit
        if unit in scores:
            assert cells["score"] == f"{scores[unit]['score']:g}" and cells["rank"] == str(scores[unit]["rank"])
    # 1920×1080 screenshot
    shot = tmp_path / "大屏.png"
    chromium(f"--screenshot={shot}", "--window-size=1920,1080", out.as_uri())
    width, height = struct.unpack(">II", shot.read_bytes()[16:24])
    assert (width, height) == (1920, 1080)


def test_the_trend_of_the_example_is_what_report_stats_said_at_each_weeks_end(tmp_path):
    import datetime as dt

    from duban import reports, trend
    from duban.ledger import Ledger

    led = Ledger.open(copy_example(tmp_path / "示例台账.db"), today=dt.date.fromisoformat(EXAMPLE_TODAY))
    weeks = trend.trend(led)
    assert [w.red for w in weeks] == [reports.stats(led, reports.span(None, w.end, led.today))[-1].overdue
                                      for w in weeks]
    assert [w.red for w in weeks][-3:] == [1, 2, 3]  # W45, W46, W47
    assert sum(w.new for w in weeks) == 19 - 1  # every item registered, less the one cancelled since


def test_the_four_colour_preset_shows_blue_items_with_their_name(small, tmp_path):
    ok(small("rules", "preset", "四色"))
    out = tmp_path / "四色.html"
    ok(small("screen", "--out", str(out), today="2026-11-20"))
    dom = Dom(out.read_text(encoding="utf-8"))
    assert [kpi(dom, k) for k in ("red", "yellow", "blue", "green")] == ["1", "0", "1", "1"]
    assert [(r["data-id"], r["data-light"]) for r in dom.rows("data-id")] == [("1", "red"), ("5", "blue")]
    assert "蓝灯" in dom.text(**{"data-id": "5"})[0] and "剩余2个工作日" in dom.text(**{"data-id": "5"})[0]
    three = tmp_path / "三色.html"
    ok(small("rules", "preset", "三色"))
    ok(small("screen", "--out", str(three), today="2026-11-20"))
    assert 'data-k="blue"' not in three.read_text(encoding="utf-8")  # no blue tile without blue lights


def test_the_trend_counts_an_item_closed_again_after_a_return_once_a_week():
    import datetime as dt

    from sqlite_utils import Database

    from duban import trend, weekly, reports
    from duban.ledger import Ledger
    from duban.models import Source

    led = Ledger(Database(memory=True), today=dt.date(2026, 11, 2))
    led.add_unit("市交通运输局")
    led.set_setting("review_required", "true")
    led.create("道路养护", Source.DOCUMENT, lead="市交通运输局", due=dt.date(2026, 12, 31))
    for day, act in (("2026-11-24", lambda: led.close(1, "已完成")),
                     ("2026-11-25", lambda: led.review(1, False, "材料不全")),
                     ("2026-11-25", lambda: led.close(1, "已补齐材料")),
                     ("2026-11-26", lambda: led.review(1, True))):
        led.today = dt.date.fromisoformat(day)
        act()
    led.today = dt.date(2026, 11, 27)
    w48 = trend.trend(led)[-1]
    assert (w48.label, w48.closed) == ("2026-W48", 1)
    assert weekly.weekly(led, reports.week("2026-W48", led.today), 1).closed_this_week == 1
