"""duban import stores each new item as plain rows (lifecycle.imported), not through lifecycle.apply's
dataclasses (issue #15: 10,000 rows at the speed of a plain read). What is stored must be, column by
column, what replaying the `imported` event gives — for every kind of field a sheet can fill.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from duban import importer, lifecycle
from duban.check import check_ledger
from duban.errors import InvalidInput
from duban.ledger import Ledger
from duban.ledger_rows import _iso, assignment_row
from duban.models import EventKind

from test_import import write_book

HEADER = ["序号", "督办事项", "来源", "文号", "牵头领导", "牵头单位", "配合单位", "完成时限", "进展情况", "备注",
          "交办时间", "办理要求", "完成标准", "责任人", "类别", "问题编号"]
ROWS = [
    # every field filled; the sheet's own 交办 date; a deadline as an Excel date; two co units
    [1, "推进老旧小区改造", "市委书记批示", "督办〔2026〕7号", "张市长", "交通局", "财政局、住建局",
     dt.datetime(2026, 12, 30), "已完成方案", "重点跟踪", "2026年12月1日", "按期完成改造", "居民满意", "赵六",
     "重点", "Q-1"],
    # 长期: no deadline; the lead marked （牵头） second in its cell; a 配合 unit that is also the lead counts once
    [2, "河湖长制", "12345热线", None, None, "财政局、交通局（牵头）", "交通局", "长期", None, None, None, None,
     None, None, None, "Q-2"],
    # no deadline: the default 15 working days, counted into 2027 whose holidays are unknown (estimated)
    [3, "数字政府平台", "会议议定", "文号3", "李副市长", "住建局", None, None, "正在推进", None, None, None,
     None, "钱七", "速办", "Q-3"],
    # a deadline written as Chinese text, no 交办 date (the import date), an unknown 来源 word
    [4, "营商环境优化", "不知道从哪来", None, None, "交通局", "住建局", "2027年3月31日", None, None, None,
     "每月报送", None, None, None, "Q-4"],
]


@pytest.fixture
def imported(tmp_path):
    path = tmp_path / "ledger.db"
    led = Ledger.open(path, today=dt.date(2026, 12, 21), create=True)
    led.add_unit("市交通运输局", aliases=["交通局"])
    led.add_unit("市财政局", aliases=["财政局"])
    led.add_unit("市住房和城乡建设局", aliases=["住建局"])
    sheet = write_book(tmp_path / "台账.xlsx", {"台账": [["2026年重点工作台账"], HEADER, *ROWS]})
    report = importer.import_file(led, sheet, importer.ImportOptions())
    assert report.written and not report.errors
    yield led, path
    led.db.close()


def _stored(conn: sqlite3.Connection, item_id: int) -> tuple[tuple, list[tuple]]:
    item = conn.execute("SELECT id, title, source, ref, leader, class, content, standard, created, status, due,"
                        " within, preset, parent_id FROM items WHERE id = ?", [item_id]).fetchone()
    assignments = conn.execute("SELECT item_id, unit_id, role, status, assigned_on, due, due_basis, person, signed_on,"
                               " last_feedback, percent, closed_on, result, extensions, original_due, restarted_on,"
                               " within, progress_since FROM assignments WHERE item_id = ? ORDER BY id",
                               [item_id]).fetchall()
    return item, assignments


def _as_rows(item_id: int, item) -> tuple[tuple, list[tuple]]:
    return ((item_id, item.title, item.source.code, item.ref, item.leader, item.klass.code, item.content,
             item.standard, _iso(item.created), item.status.code, _iso(item.due), item.within, item.preset,
             item.parent),
            [tuple(assignment_row(item_id, a)) for a in item.assignments])


def test_every_stored_column_equals_the_replay_of_the_imported_event(imported):
    led, path = imported
    conn = sqlite3.connect(path)
    try:
        for item_id in (1, 2, 3, 4):
            replayed = led.replayed(item_id)
            assert _stored(conn, item_id) == _as_rows(item_id, replayed)
            assert led.item(item_id).item == replayed
    finally:
        conn.close()
    # the field kinds were all there (a test that exercised only defaults would prove little)
    one, two, three, four = (led.item(i).item for i in (1, 2, 3, 4))
    assert (one.ref, one.leader, one.klass.code, one.content, one.standard, one.created) == \
        ("督办〔2026〕7号", "张市长", "key", "问题编号：Q-1\n按期完成改造\n备注：重点跟踪", "居民满意", dt.date(2026, 12, 1))
    assert [(a.unit, a.role.code, a.person, a.last_feedback, a.due) for a in one.assignments] == [
        ("市交通运输局", "lead", "赵六", dt.date(2026, 12, 21), dt.date(2026, 12, 30)),
        ("市财政局", "co", None, None, dt.date(2026, 12, 30)),
        ("市住房和城乡建设局", "co", None, None, dt.date(2026, 12, 30))]
    assert (two.due, [(a.unit, a.role.code) for a in two.assignments]) == \
        (None, [("市交通运输局", "lead"), ("市财政局", "co")])
    assert [(a.due_basis, a.within, a.due) for a in three.assignments] == [("estimated", 15, three.due)]
    assert (three.klass.code, three.due.year, four.source.code, four.created) == \
        ("quick", 2027, "other", dt.date(2026, 12, 21))


def test_duban_check_replays_the_import_without_a_difference(imported):
    led, path = imported
    report = check_ledger(path, today=dt.date(2026, 12, 21))
    assert report.replayed == 4
    assert [p.code for p in report.problems if p.severity == "error"] == []


def test_imported_rows_and_apply_refuse_the_same_bad_events():
    """lifecycle.imported is the event's one implementation: the replay refuses what the write refuses."""
    good = {"title": "事项", "source": "other", "due": "2026-12-31", "units": [
        {"unit_id": 1, "unit": "甲", "role": "lead"}, {"unit_id": 2, "unit": "乙", "role": "co"}]}
    cases = [
        ({**good, "units": []}, "导入的事项须有牵头单位"),
        ({**good, "units": good["units"][1:]}, "导入的事项须有牵头单位"),
        ({**good, "units": [good["units"][0], {"unit_id": 1, "unit": "甲", "role": "co"}]},
         "单位“甲”重复出现在牵头/配合单位中"),
        ({**good, "units": [good["units"][0], {"unit_id": 2, "unit": "乙", "role": "lead"}]},
         "导入的事项只能有一个牵头单位（已有“甲”）"),
        ({**good, "title": "  "}, "事项名称不能为空"),
        ({**good, "assigned_on": "2027-01-05", "assigned_on_known": True},
         "办理时限 2026-12-31 早于交办时间 2027-01-05"),
    ]
    day = dt.date(2026, 11, 16)
    for data, message in cases:
        with pytest.raises(InvalidInput) as direct:
            lifecycle.imported(data, day)
        with pytest.raises(InvalidInput) as replayed:
            lifecycle.apply(None, lifecycle.Change(EventKind.IMPORTED, day, 1, "甲", data))
        assert direct.value.message == replayed.value.message == message
    item, assignments = lifecycle.imported(good, day)
    assert item == ("事项", "other", None, None, "routine", None, None, "2026-11-16", "open", "2026-12-31", None,
                    None, None)
    assert assignments == [(1, "lead", "open", "2026-11-16", "2026-12-31", "given", None, None, "2026-12-31", None),
                           (2, "co", "open", "2026-11-16", "2026-12-31", "given", None, None, "2026-12-31", None)]


def test_the_row_key_normalisation_is_nfkc_also_for_full_width_text():
    """_norm replaces full-width ASCII before NFKC (CPython's slow path otherwise): the same keys as plain NFKC,
    so that a sheet imported before still finds its items."""
    import random
    import unicodedata

    from duban.import_rows import _norm, row_key

    def plain(text: str) -> str:
        return "".join(unicodedata.normalize("NFKC", text).lower().split()).rstrip("。.")

    pool = ([chr(c) for c in range(0xFF00, 0xFF70)] + [chr(c) for c in range(0x300, 0x350)]
            + list("推进整治（第项）、，。. \u3000aAé①㈠ｶﾞ\u3099\u309a가\u1100\u1161"))
    rng = random.Random(15)
    for _ in range(20000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 10)))
        assert _norm(text) == plain(text), repr(text)
    assert _norm("推进（第１２项）ＡＢ\u3000Ｃ。") == "推进(第12项)abc"
    assert row_key("推进城区主干道综合整治（第1项）", "市交通运输局") == "3cd9dd72fdecff672c63a447"  # as before the change
