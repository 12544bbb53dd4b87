"""The clock of an item (DOMAIN.md §4–5; issue 13): pause stops it, reopen restarts progress,
nothing exists before it was created, ``show --as-of`` sees only what was recorded by then,
签收 is tracked, and a preset can apply to one item."""

from __future__ import annotations

import json

import pytest


def ok(result):
    assert result.exit_code == 0, result.output
    return result.stdout


def show(duban, item_id, *args, today=None):
    return json.loads(ok(duban("show", str(item_id), "--format", "json", *args, today=today)))


def log(duban, item_id):
    return json.loads(ok(duban("log", str(item_id), "--format", "json")))


def new(duban, *args, today="2026-11-02"):
    return int(ok(duban("create", "事项", "--source", "领导批示", "--lead", "交通局", *args, today=today)).strip())


# -- pause stops the clock ------------------------------------------------------------------------

PAUSES = [
    # (deadline options, paused, resumed, working days paused, new deadline, why)
    (("--due", "2026-11-25"), "2026-11-05", "2026-11-18", 9, "2026-12-08", "issue example: 11-06, 11-09..13, 11-16..18"),
    (("--within", "10"), "2026-11-05", "2026-11-12", 5, "2026-10-23", "N working days: 交办 09-28 + (10 + 5)"),
    (("--due", "2026-10-16"), "2026-09-29", "2026-10-09", 3, "2026-10-21", "across 国庆: 09-30, 10-08, 10-09"),
    (("--due", "2026-11-25"), "2026-11-05", "2026-11-05", 0, "2026-11-25", "resumed the same day: nothing moves"),
]


@pytest.mark.parametrize(("opts", "paused", "resumed", "days", "due", "why"), PAUSES, ids=[p[5] for p in PAUSES])
def test_resume_moves_the_deadline_by_the_working_days_paused(units, opts, paused, resumed, days, due, why):
    item_id = new(units, *opts, today="2026-09-28")
    ok(units("pause", str(item_id), "--reason", "待常务会研究", today=paused))
    ok(units("resume", str(item_id), today=resumed))
    assert show(units, item_id, today=resumed)["due"] == due, why
    last = log(units, item_id)[-1]
    if days:
        assert last["detail"] == f"“市交通运输局”恢复办理，暂缓{days}个工作日，时限顺延至{due}"
        assert f"暂缓{days}个工作日，时限顺延至{due}" in ok(units("show", str(item_id), today=resumed))
    else:
        assert last["detail"] == "“市交通运输局”恢复办理"
    assert ok(units("check", today=resumed)).endswith("未发现问题\n") or "错误 0 项" in ok(units("check", today=resumed))


def test_resume_event_records_the_days_and_both_deadlines(units, tmp_path):
    import sqlite3

    item_id = new(units, "--due", "2026-11-25")
    ok(units("pause", str(item_id), "--reason", "待常务会研究", today="2026-11-05"))
    ok(units("resume", str(item_id), today="2026-11-18"))
    data = sqlite3.connect(tmp_path / "test.db").execute(
        "SELECT data FROM events WHERE kind = 'resumed'").fetchone()[0]
    assert json.loads(data) == {"note": None, "paused_on": "2026-11-05", "paused_workdays": 9, "to": "2026-12-08",
                                "due_basis": "given", "within": None, "from": "2026-11-25"}


@pytest.mark.parametrize(("args", "due", "detail"), [
    (("--keep-due",), "2026-11-25", "“市交通运输局”恢复办理，时限不变"),
    (("--due", "2026-12-31"), "2026-12-31", "“市交通运输局”恢复办理，时限改为2026-12-31"),
    (("--within", "10"), "2026-12-02", "“市交通运输局”恢复办理，时限改为2026-12-02"),
])
def test_resume_keep_or_set_the_deadline(units, args, due, detail):
    item_id = new(units, "--due", "2026-11-25")
    ok(units("pause", str(item_id), "--reason", "待常务会研究", today="2026-11-05"))
    ok(units("resume", str(item_id), *args, today="2026-11-18"))
    assert show(units, item_id, today="2026-11-18")["due"] == due
    assert log(units, item_id)[-1]["detail"] == detail


def test_resume_keep_due_with_a_new_deadline_is_a_usage_error(units):
    item_id = new(units, "--due", "2026-11-25")
    ok(units("pause", str(item_id), "--reason", "待常务会研究", today="2026-11-05"))
    result = units("resume", str(item_id), "--keep-due", "--within", "3", today="2026-11-18")
    assert (result.exit_code, result.stderr) == (2, "错误：--keep-due 与 --due/--within 只能给出一个\n")
    assert show(units, item_id, today="2026-11-18")["status"] == "paused"


def test_pause_extends_due_off(units):
    ok(units("rules", "set", "pause_extends_due", "false", today="2026-11-02"))
    item_id = new(units, "--due", "2026-11-25")
    ok(units("pause", str(item_id), "--reason", "待常务会研究", today="2026-11-05"))
    ok(units("resume", str(item_id), today="2026-11-18"))
    assert show(units, item_id, today="2026-11-18")["due"] == "2026-11-25"


# -- reopen restarts progress ---------------------------------------------------------------------


def test_reopen_clears_the_percent_and_restarts_the_schedule(units):
    # the README's walk-through: 40% reported 11-09, closed, reopened 12-04 with 5 working days
    item_id = new(units, "--within", "10", "--class", "重点")
    ok(units("sign", str(item_id), "--unit", "交通局", today="2026-11-03"))
    ok(units("feedback", str(item_id), "--unit", "交通局", "进场施工", "--percent", "40", today="2026-11-09"))
    ok(units("close", str(item_id), "--result", "完成", today="2026-11-13"))
    ok(units("reopen", str(item_id), "--reason", "问题反弹", "--within", "5", today="2026-12-04"))
    item = show(units, item_id, today="2026-12-04")
    assert (item["light"], item["due"], item["assignments"][0]["percent"]) == ("green", "2026-12-11", None)
    assert "序时进度" not in item["light_reason"]
    # progress reported after the reopen is measured from the reopen date: 1 of 5 working days = 20%
    ok(units("feedback", str(item_id), "--unit", "交通局", "重新整改", "--percent", "10", today="2026-12-07"))
    item = show(units, item_id, today="2026-12-07")
    assert item["light"] == "green"  # 10% against 20%: within the 20-point tolerance (from 11-02 it would be 87%)
    assert [f["kind"] for f in item["assignments"][0]["findings"]] == ["on_track"]


# -- nothing exists before it was created ---------------------------------------------------------------


def test_nothing_is_listed_before_it_was_created(units):
    new(units, "--due", "2026-11-06", today="2026-11-02")  # overdue from 11-09
    assert json.loads(ok(units("list", "--format", "json", today="2026-10-30"))) == []
    assert json.loads(ok(units("overdue", "--format", "json", today="2026-10-30"))) == []
    assert [r["id"] for r in json.loads(ok(units("list", "--format", "json", today="2026-11-10")))] == [1]
    assert [r["id"] for r in json.loads(ok(units("overdue", "--format", "json", today="2026-11-10")))] == [1]
    stats = json.loads(ok(units("report", "stats", "--format", "json", today="2026-10-30")))
    assert stats[-1]["group"] == "全部" and stats[-1]["total"] == 0


# -- show --as-of: only what was recorded by then, and the settings of then ----------------------


def test_show_as_of_counts_only_the_reminders_recorded_by_then(units):
    item_id = new(units, "--due", "2026-11-06")
    for day in ("2026-11-09", "2026-11-12", "2026-11-17", "2026-11-20"):
        ok(units("remind", today=day))
    now = ok(units("show", str(item_id), "--explain", today="2026-11-20"))
    assert "已催办4次仍无反馈" in now
    before = ok(units("show", str(item_id), "--explain", "--as-of", "2026-11-06", today="2026-11-20"))
    assert "已催办" not in before and "（按记录还原至 2026-11-06）" in before
    second = ok(units("show", str(item_id), "--explain", "--as-of", "2026-11-12", today="2026-11-20"))
    assert "已催办2次仍无反馈（≥2）" in second and "已催办4次" not in second


def test_show_as_of_uses_the_settings_in_force_then(units):
    item_id = new(units, "--due", "2026-11-16")  # on 11-10: 4 working days left
    ok(units("sign", str(item_id), "--unit", "交通局", today="2026-11-03"))
    ok(units("rules", "set", "near_due_workdays", "5", today="2026-11-12"))
    assert show(units, item_id, "--as-of", "2026-11-10", today="2026-11-13")["light"] == "green"  # threshold 3 then
    ok(units("rules", "set", "near_due_workdays", "3", today="2026-11-13"))
    assert show(units, item_id, "--as-of", "2026-11-12", today="2026-11-13")["light"] == "yellow"  # 2 left, 5 then


# -- 签收 --------------------------------------------------------------------------------------------

SIGNING = [
    # (actions after 交办 on Monday 11-16, day looked at, expected finding text or None)
    ((), "2026-11-18", None),  # 2 working days: within the limit
    ((), "2026-11-19", "交办3个工作日未签收（2026-11-16交办，应于2个工作日内签收）"),
    ((), "2026-11-23", "交办5个工作日未签收（2026-11-16交办，应于2个工作日内签收）"),
    ((("sign", "--unit", "交通局"),), "2026-11-23", None),
    ((("feedback", "--unit", "交通局", "已部署"),), "2026-11-23", None),  # heard from: it has it
    ((("rules", "set", "sign_within_workdays", "5"),), "2026-11-23", None),
    ((("rules", "set", "sign_within_workdays", "5"),), "2026-11-24", "交办6个工作日未签收（2026-11-16交办，应于5个工作日内签收）"),
]


@pytest.mark.parametrize(("actions", "day", "finding"), SIGNING)
def test_unsigned_assignment_is_yellow(units, actions, day, finding):
    item_id = new(units, "--due", "2026-12-31", today="2026-11-16")
    for action in actions:
        args = list(action)
        if args[0] in ("sign", "feedback"):
            args.insert(1, str(item_id))
        ok(units(*args, today="2026-11-17"))
    a = show(units, item_id, today=day)["assignments"][0]
    unsigned = [f for f in a["findings"] if f["kind"] == "unsigned"]
    if finding is None:
        assert unsigned == [] and a["light"] == "green"
    else:
        assert unsigned == [{"kind": "unsigned", "light": "yellow", "text": finding}]
        assert a["light"] == "yellow"
        explained = ok(units("show", str(item_id), "--explain", today=day))
        assert f"[黄灯] {finding}" in explained


def test_co_units_signing_counts_only_when_co_units_are_held_to_account(units):
    item_id = new(units, "--co", "财政局", "--due", "2026-12-31", today="2026-11-16")
    ok(units("sign", str(item_id), "--unit", "交通局", today="2026-11-16"))
    assert show(units, item_id, today="2026-11-23")["light"] == "green"
    ok(units("rules", "set", "cadence_co_units", "true", today="2026-11-23"))
    item = show(units, item_id, today="2026-11-23")
    assert (item["light"], item["light_reason"]) == (
        "yellow", "配合单位“市财政局”：交办5个工作日未签收（2026-11-16交办，应于2个工作日内签收）")


# -- presets per item -------------------------------------------------------------------------------


def test_create_with_preset_11350_applies_to_that_item_only(units):
    plain = new(units, today="2026-11-16")
    fast = new(units, "--preset", "11350", today="2026-11-16")
    ok(units("sign", str(plain), "--unit", "交通局", today="2026-11-16"))
    ok(units("sign", str(fast), "--unit", "交通局", today="2026-11-16"))
    assert show(units, plain, today="2026-11-16")["due"] == "2026-12-07"  # 15 working days
    assert show(units, fast, today="2026-11-16")["due"] == "2026-11-23"  # 5 working days (seeds/003:L455)
    assert (show(units, fast)["preset"], show(units, plain)["preset"]) == ("11350", None)
    item = show(units, fast, today="2026-11-20")  # first feedback due 11-19 (3 working days)
    assert item["light"] == "yellow"
    assert {"kind": "feedback_late", "light": "yellow", "text": "交办后3个工作日内首次反馈，反馈已逾期1个工作日"} \
        in item["assignments"][0]["findings"]
    assert show(units, plain, today="2026-11-20")["light"] == "green"
    assert json.loads(ok(units("rules", "show", "--format", "json")))  # the ledger's own rules untouched
    assert ok(units("check", today="2026-11-20"))


def test_assign_with_preset(units):
    item_id = int(ok(units("create", "主要领导交办", "--source", "领导批示", today="2026-11-16")).strip())
    ok(units("assign", str(item_id), "--lead", "交通局", "--preset", "11350", today="2026-11-16"))
    assert show(units, item_id, today="2026-11-16")["due"] == "2026-11-23"


def test_unknown_item_preset_is_refused(units):
    result = units("create", "事项", "--source", "其他", "--lead", "交通局", "--preset", "四色")
    assert result.exit_code == 1
    assert result.stderr == ("错误：--preset 只能是 11350（对单个事项生效），收到“四色”；"
                             "整本台账的规则用 duban rules preset 设置\n")
    assert json.loads(ok(units("list", "--format", "json"))) == []


def test_four_colour_preset_feedback_overdue_is_red(units):
    ok(units("rules", "preset", "四色", today="2026-11-02"))
    item_id = new(units, "--due", "2026-12-31", "--class", "速办")  # 速办: report every 3 working days
    ok(units("sign", str(item_id), "--unit", "交通局", today="2026-11-02"))
    item = show(units, item_id, today="2026-11-06")
    assert (item["light"], item["light_reason"]) == ("red", "2026-11-02交办后尚无反馈，每3个工作日应于2026-11-05前反馈，反馈已逾期1个工作日")


# -- m011_calendar_clock on a ledger written before it -------------------------------------------------


def test_migration_gives_old_rows_their_working_day_count(tmp_path):
    import datetime as dt
    import sqlite3

    from duban import ledger as ledger_mod
    from duban.ledger import Ledger
    from duban.models import Source

    path = tmp_path / "old.db"
    led = Ledger.open(path, today=dt.date(2026, 11, 16), create=True)
    led.add_unit("市交通运输局", aliases=["交通局"])
    led.add_unit("市财政局", aliases=["财政局"])
    led.create("按工作日", Source.OTHER, lead="交通局", within=10)
    led.create("按日期", Source.OTHER, lead="财政局", due=dt.date(2026, 12, 31))
    led.create("延期过", Source.OTHER, lead="交通局", within=5)
    led.extend(3, dt.date(2026, 12, 30), "需要更多时间")
    led.db.close()
    conn = sqlite3.connect(path)  # the ledger as the release before m011 left it
    # m011 not applied (nor the newest, whose absence is what makes a ledger be migrated; it is idempotent)
    conn.execute("DELETE FROM _sqlite_migrations WHERE name IN ('m011_calendar_clock', ?)", [ledger_mod.SCHEMA])
    for table, column in (("assignments", "within"), ("assignments", "progress_since"), ("items", "preset")):
        conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    conn.execute("DROP TABLE calendar_years")
    conn.commit()
    conn.close()
    led = Ledger.open(path, today=dt.date(2026, 11, 16))
    assert led.db.execute("SELECT item_id, within FROM assignments ORDER BY item_id").fetchall() == [
        (1, 10), (2, None), (3, None)]
    from duban.check import check_ledger

    report = check_ledger(path, today=dt.date(2026, 11, 16))
    assert (report.errors, [p.code for p in report.problems]) == (0, [])


def test_resume_with_a_deadline_before_today_is_refused(units):
    item_id = new(units, "--due", "2026-11-25")
    ok(units("pause", str(item_id), "--reason", "待常务会研究", today="2026-11-05"))
    result = units("resume", str(item_id), "--due", "2026-11-10", today="2026-11-18")
    assert (result.exit_code, result.stderr) == (1, "错误：恢复办理后的时限 2026-11-10 早于今天 2026-11-18\n")
    assert show(units, item_id, today="2026-11-18")["status"] == "paused"
