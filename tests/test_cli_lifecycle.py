"""The life of an item through the CLI (CLI.md "Life of an item"; DOMAIN.md §3–5).

``today`` moves between calls the way it does for a clerk: each call passes its own
business date (``DUBAN_TODAY``), and every event is recorded on that date.
Working days follow the State Council 2026 schedule: 国庆 10-01…10-07 off, Saturday
10-10 worked; 2026-11-16 is a Monday.
"""

from __future__ import annotations

import json
import os
import sqlite3

import pytest


# -- helpers ------------------------------------------------------------------------------


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.stdout


def new_item(duban, *args: str, today: str | None = None) -> int:
    out = ok(duban("create", *args, today=today))
    return int(out.strip())


def show(duban, item_id: int, *extra: str, today: str | None = None) -> dict:
    return json.loads(ok(duban("show", str(item_id), "--format", "json", *extra, today=today)))


def log(duban, item_id: int) -> list[dict]:
    return json.loads(ok(duban("log", str(item_id), "--format", "json")))


def kinds(duban, item_id: int) -> list[str]:
    return [e["kind"] for e in log(duban, item_id)]


def listed(duban, *extra: str, today: str | None = None) -> list[dict]:
    return json.loads(ok(duban("list", "--format", "json", *extra, today=today)))


def event_rows(path: str) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM events WHERE item_id IS NOT NULL").fetchone()[0]
    finally:
        conn.close()


# -- deadlines on real Chinese working days --------------------------------------------------


@pytest.mark.parametrize(
    "created, within, due",
    [
        ("2026-09-30", 3, "2026-10-10"),  # DOMAIN.md §4: 国庆 off, Saturday 10-10 is a 调休 working day
        ("2026-09-30", 1, "2026-10-08"),
        ("2026-10-01", 1, "2026-10-08"),  # 交办 on a holiday: counting starts with the next working day
        ("2026-11-16", 3, "2026-11-19"),
        ("2026-11-13", 1, "2026-11-16"),  # Friday + 1 → Monday
        ("2026-11-16", 15, "2026-12-07"),
        ("2026-12-25", 4, "2026-12-31"),
    ],
)
def test_create_with_within_counts_working_days(units, created, within, due):
    item_id = new_item(units, "推进城区主干道综合整治", "--source", "领导批示", "--lead", "交通局",
                       "--within", str(within), today=created)
    item = show(units, item_id, today=created)
    assert item["created"] == created
    assert item["assigned_on"] == created
    assert item["due"] == due
    assert [(a["unit"], a["due"], a["original_due"]) for a in item["assignments"]] == [("市交通运输局", due, due)]
    assert item["workdays_left"] == within


def test_create_without_deadline_gets_the_default_fifteen_working_days(units):
    item_id = new_item(units, "整治占道经营", "--source", "群众诉求", "--lead", "交通局")
    item = show(units, item_id)
    assert item["due"] == "2026-12-07"
    assert item["workdays_left"] == 15
    assert item["light"] == "green"


def test_create_with_lead_and_co_assigns_at_once(units):
    item_id = new_item(units, "推进城区主干道综合整治", "--source", "领导批示", "--ref", "市委批示〔2026〕12号",
                       "--leader", "王市长", "--class", "重点", "--content", "限期完成整治",
                       "--standard", "通过验收", "--lead", "交通局", "--co", "财政局", "--co", "住建局",
                       "--due", "2026-12-31", "--person", "赵六")
    assert item_id == 1
    item = show(units, item_id)
    assert (item["status"], item["light"], item["lead_unit"], item["co_units"]) == (
        "open", "green", "市交通运输局", ["市财政局", "市住房和城乡建设局"])
    assert (item["source"], item["ref"], item["leader"], item["class"]) == (
        "leader_instruction", "市委批示〔2026〕12号", "王市长", "key")
    assert (item["content"], item["standard"]) == ("限期完成整治", "通过验收")
    assert [(a["unit"], a["role"], a["status"], a["due"], a["person"]) for a in item["assignments"]] == [
        ("市交通运输局", "lead", "open", "2026-12-31", "赵六"),
        ("市财政局", "co", "open", "2026-12-31", None),
        ("市住房和城乡建设局", "co", "open", "2026-12-31", None),
    ]
    assert kinds(units, item_id) == ["created", "assigned", "assigned", "assigned"]


def test_create_without_lead_waits_then_assign(units):
    item_id = new_item(units, "老旧小区加装电梯", "--source", "会议议定", "--within", "5", today="2026-11-02")
    pending = show(units, item_id, today="2026-11-02")
    assert (pending["status"], pending["light"], pending["lead_unit"], pending["co_units"]) == (
        "pending", None, None, [])
    assert pending["assignments"] == []
    assert [r["id"] for r in listed(units, "--status", "pending")] == [item_id]

    out = ok(units("assign", str(item_id), "--lead", "住建局", "--co", "财政局", today="2026-11-04"))
    assert out.startswith(f"事项 #{item_id}：办理中")
    item = show(units, item_id, today="2026-11-04")
    # the planned 5 working days count from the 交办 date, not from 立项
    assert (item["status"], item["created"], item["assigned_on"], item["due"]) == (
        "open", "2026-11-02", "2026-11-04", "2026-11-11")
    assert (item["lead_unit"], item["co_units"]) == ("市住房和城乡建设局", ["市财政局"])
    assert [(e["at"], e["kind"], e["unit"]) for e in log(units, item_id)] == [
        ("2026-11-02", "created", None),
        ("2026-11-04", "assigned", "市住房和城乡建设局"),
        ("2026-11-04", "assigned", "市财政局"),
    ]


def test_pending_item_with_a_due_date_keeps_it_when_assigned(units):
    item_id = new_item(units, "农贸市场改造", "--source", "政府工作报告", "--due", "2026-12-15")
    assert show(units, item_id)["status"] == "pending"
    ok(units("assign", str(item_id), "--lead", "交通局", today="2026-11-18"))
    assert show(units, item_id, today="2026-11-18")["due"] == "2026-12-15"


def test_co_unit_added_later_shares_the_lead_deadline(units):
    item_id = new_item(units, "背街小巷亮化", "--source", "群众诉求", "--lead", "交通局", "--due", "2026-12-31")
    ok(units("assign", str(item_id), "--co", "财政局", today="2026-11-18"))
    item = show(units, item_id, today="2026-11-18")
    assert [(a["unit"], a["role"], a["due"], a["assigned_on"]) for a in item["assignments"]] == [
        ("市交通运输局", "lead", "2026-12-31", "2026-11-16"),
        ("市财政局", "co", "2026-12-31", "2026-11-18"),
    ]


# -- one item from 立项 to 回访 ----------------------------------------------------------------


@pytest.fixture
def road(units):
    """The road item, lived from 11-02 to 11-27; returns (duban, id)."""
    d = units
    item_id = new_item(d, "推进城区主干道综合整治", "--source", "领导批示", "--ref", "市委批示〔2026〕12号",
                       "--leader", "王市长", today="2026-11-02")
    ok(d("assign", str(item_id), "--lead", "交通局", "--co", "财政局", "--due", "2026-11-13",
         "--person", "赵六", today="2026-11-03"))
    ok(d("sign", str(item_id), "--unit", "交通局", today="2026-11-04"))
    ok(d("feedback", str(item_id), "--unit", "交通局", "已完成招标，正在施工", "--percent", "60",
         today="2026-11-05"))
    ok(d("extend", str(item_id), "--to", "2026-11-20", "--reason", "需等待省级批复", today="2026-11-06"))
    ok(d("close", str(item_id), "--result", "整治完成，已通过验收", today="2026-11-24"))
    ok(d("revisit", str(item_id), "--satisfaction", "满意", "--note", "电话回访群众，问题未反弹",
         today="2026-11-27"))
    return d, item_id


def test_log_records_every_step_in_order_with_its_date(road):
    d, item_id = road
    events = log(d, item_id)
    assert [(e["at"], e["kind"], e["unit"]) for e in events] == [
        ("2026-11-02", "created", None),
        ("2026-11-03", "assigned", "市交通运输局"),
        ("2026-11-03", "assigned", "市财政局"),
        ("2026-11-04", "signed", "市交通运输局"),
        ("2026-11-05", "feedback", "市交通运输局"),
        ("2026-11-06", "extended", "市交通运输局"),
        ("2026-11-06", "extended", "市财政局"),
        ("2026-11-24", "closed", "市交通运输局"),
        ("2026-11-24", "closed", "市财政局"),
        ("2026-11-27", "revisited", None),
    ]
    assert all(isinstance(e["detail"], str) and e["detail"] for e in events)
    assert "已完成招标，正在施工" in events[4]["detail"]
    assert "需等待省级批复" in events[5]["detail"]
    assert "逾期办结" in events[7]["detail"]  # closed 11-24, after the 11-20 deadline
    assert "满意" in events[9]["detail"]


def test_show_after_the_whole_life(road):
    d, item_id = road
    item = show(d, item_id, today="2026-11-27")
    assert (item["status"], item["light"], item["workdays_left"], item["overdue_workdays"]) == (
        "closed", None, None, None)
    assert (item["created"], item["assigned_on"], item["due"], item["last_feedback"]) == (
        "2026-11-02", "2026-11-03", "2026-11-20", "2026-11-05")
    lead, co = item["assignments"]
    assert (lead["unit"], lead["signed_on"], lead["percent"], lead["person"]) == ("市交通运输局", "2026-11-04", 60, "赵六")
    assert (co["unit"], co["signed_on"], co["percent"], co["person"]) == ("市财政局", None, None, None)
    for a in (lead, co):
        # 延期 keeps the old deadline
        assert (a["status"], a["due"], a["original_due"], a["extensions"]) == ("closed", "2026-11-20", "2026-11-13", 1)
        assert (a["closed_on"], a["result"], a["light"]) == ("2026-11-24", "整治完成，已通过验收", None)


@pytest.mark.parametrize(
    "as_of, status, light, due, overdue",
    [
        ("2026-11-02", "pending", None, None, None),
        ("2026-11-03", "open", "green", "2026-11-13", 0),
        ("2026-11-05", "open", "green", "2026-11-13", 0),
        ("2026-11-10", "open", "green", "2026-11-20", 0),  # already extended on 11-06
        ("2026-11-23", "open", "red", "2026-11-20", 1),  # one working day late, the day before closure
        ("2026-11-24", "closed", None, "2026-11-20", None),
        ("2026-11-30", "closed", None, "2026-11-20", None),
    ],
)
def test_show_as_of_reproduces_the_past(road, as_of, status, light, due, overdue):
    d, item_id = road
    past = show(d, item_id, "--as-of", as_of, today="2026-11-30")
    assert (past["status"], past["light"], past["due"], past["overdue_workdays"]) == (status, light, due, overdue)


def test_show_as_of_table_says_it_is_a_replay(road):
    d, item_id = road
    out = ok(d("show", str(item_id), "--as-of", "2026-11-23"))
    assert "按记录还原至 2026-11-23" in out
    assert "红灯" in out
    assert "\x1b[" not in out


def test_as_of_before_extension_shows_the_old_deadline(road):
    d, item_id = road
    past = show(d, item_id, "--as-of", "2026-11-05")
    assert [(a["due"], a["extensions"], a["last_feedback"], a["percent"]) for a in past["assignments"]] == [
        ("2026-11-13", 0, "2026-11-05", 60), ("2026-11-13", 0, None, None)]


def test_extend_twice_keeps_the_first_deadline(units):
    item_id = new_item(units, "推进城区主干道综合整治", "--source", "领导批示", "--lead", "交通局",
                       "--co", "财政局", "--due", "2026-11-30")
    ok(units("extend", str(item_id), "--to", "2026-12-10", "--reason", "等待批复", "--unit", "交通局"))
    ok(units("extend", str(item_id), "--to", "2026-12-20", "--reason", "再次等待", "--unit", "交通局",
             today="2026-11-17"))
    item = show(units, item_id, today="2026-11-17")
    assert item["due"] == "2026-12-20"
    assert [(a["unit"], a["due"], a["original_due"], a["extensions"]) for a in item["assignments"]] == [
        ("市交通运输局", "2026-12-20", "2026-11-30", 2),
        ("市财政局", "2026-11-30", "2026-11-30", 0),  # --unit: only the lead was extended
    ]
    ext = [e for e in log(units, item_id) if e["kind"] == "extended"]
    assert [(e["at"], e["unit"]) for e in ext] == [("2026-11-16", "市交通运输局"), ("2026-11-17", "市交通运输局")]


def test_sign_and_feedback(units):
    item_id = new_item(units, "整治占道经营", "--source", "群众诉求", "--lead", "交通局", "--co", "住建局",
                       "--due", "2026-12-31")
    ok(units("sign", str(item_id), "--unit", "市住建局", today="2026-11-17"))
    ok(units("feedback", str(item_id), "--unit", "住建局", "已开展联合执法", "--percent", "30", today="2026-11-18"))
    ok(units("feedback", str(item_id), "--unit", "交通局", "已制定方案", today="2026-11-19"))
    item = show(units, item_id, today="2026-11-19")
    assert item["last_feedback"] == "2026-11-19"
    assert item["percent"] is None  # the item's percent is the lead's; the lead gave none
    lead, co = item["assignments"]
    assert (lead["signed_on"], lead["last_feedback"], lead["percent"]) == (None, "2026-11-19", None)
    assert (co["signed_on"], co["last_feedback"], co["percent"]) == ("2026-11-17", "2026-11-18", 30)
    events = log(units, item_id)
    assert [(e["at"], e["kind"], e["unit"]) for e in events[-3:]] == [
        ("2026-11-17", "signed", "市住房和城乡建设局"),
        ("2026-11-18", "feedback", "市住房和城乡建设局"),
        ("2026-11-19", "feedback", "市交通运输局"),
    ]
    assert "30%" in events[-2]["detail"] and "已开展联合执法" in events[-2]["detail"]


# -- 办结, 审核, 销号 ---------------------------------------------------------------------------


def test_close_strikes_off_by_default(units):
    item_id = new_item(units, "整治占道经营", "--source", "群众诉求", "--lead", "交通局", "--due", "2026-12-31")
    out = ok(units("close", str(item_id), "--result", "已取缔全部占道摊点", today="2026-11-20"))
    assert out.startswith(f"事项 #{item_id}：已销号")
    item = show(units, item_id, today="2026-11-20")
    assert (item["status"], item["light"], item["light_reason"]) == ("closed", None, "已销号")
    assert item["assignments"][0]["closed_on"] == "2026-11-20"
    assert kinds(units, item_id) == ["created", "assigned", "closed"]
    assert "按期办结" in log(units, item_id)[-1]["detail"]
    assert listed(units) == []  # closed items leave the default list
    assert [r["id"] for r in listed(units, "--all")] == [item_id]


def test_close_with_review_required(units):
    ok(units("rules", "set", "review_required", "true"))
    item_id = new_item(units, "整治占道经营", "--source", "群众诉求", "--lead", "交通局", "--due", "2026-12-31")

    ok(units("close", str(item_id), "--result", "已整改", today="2026-11-18"))
    item = show(units, item_id, today="2026-11-18")
    assert (item["status"], item["light"], item["light_reason"]) == ("done", None, "已办结，待审核")
    assert [r["id"] for r in listed(units, today="2026-11-18")] == [item_id]  # still on the ledger's work list
    assert [r["id"] for r in listed(units, "--status", "done", today="2026-11-18")] == [item_id]

    out = ok(units("review", str(item_id), "--return", "未附验收材料", today="2026-11-19"))
    assert out.startswith(f"事项 #{item_id}：办理中")
    item = show(units, item_id, today="2026-11-19")
    assert (item["status"], item["light"]) == ("open", "green")
    assert item["assignments"][0]["closed_on"] is None

    ok(units("close", str(item_id), "--result", "已补充验收材料", today="2026-11-20"))
    assert show(units, item_id, today="2026-11-20")["status"] == "done"
    ok(units("review", str(item_id), "--approve", today="2026-11-23"))
    item = show(units, item_id, today="2026-11-23")
    assert (item["status"], item["light"]) == ("closed", None)
    assert item["assignments"][0]["result"] == "已补充验收材料"
    assert [(e["at"], e["kind"]) for e in log(units, item_id)] == [
        ("2026-11-16", "created"), ("2026-11-16", "assigned"), ("2026-11-18", "closed"),
        ("2026-11-19", "returned"), ("2026-11-20", "closed"), ("2026-11-23", "reviewed")]
    assert "未附验收材料" in log(units, item_id)[3]["detail"]


def test_close_one_co_unit_keeps_the_item_open(units):
    item_id = new_item(units, "整治占道经营", "--source", "群众诉求", "--lead", "交通局", "--co", "财政局",
                       "--due", "2026-12-31")
    ok(units("close", str(item_id), "--result", "资金已拨付", "--unit", "财政局"))
    item = show(units, item_id)
    assert item["status"] == "open"
    assert [(a["unit"], a["status"]) for a in item["assignments"]] == [("市交通运输局", "open"), ("市财政局", "closed")]


# -- 暂缓, 撤销, 重启, 回访, 督办 ----------------------------------------------------------------


def test_pause_and_resume(units):
    item_id = new_item(units, "城东片区改造", "--source", "会议议定", "--lead", "住建局", "--due", "2026-11-13",
                       today="2026-11-02")
    assert show(units, item_id)["light"] == "red"
    out = ok(units("pause", str(item_id), "--reason", "待市政府常务会研究"))
    assert out.startswith(f"事项 #{item_id}：暂缓")
    item = show(units, item_id)
    assert (item["status"], item["light"], item["light_reason"], item["overdue_workdays"]) == (
        "paused", None, "暂缓办理，不亮灯", None)
    assert listed(units, "--light", "red") == []
    assert [r["id"] for r in listed(units, "--status", "paused")] == [item_id]

    ok(units("resume", str(item_id), "--note", "常务会已研究同意", today="2026-11-17"))
    item = show(units, item_id, today="2026-11-17")
    # paused 11-16, resumed 11-17: one working day paused, the deadline moves from 11-13 to 11-16 (issue 13)
    assert (item["status"], item["light"], item["due"], item["overdue_workdays"]) == ("open", "red", "2026-11-16", 1)
    assert log(units, item_id)[-1]["detail"] == "“市住房和城乡建设局”恢复办理，暂缓1个工作日，时限顺延至2026-11-16：常务会已研究同意"
    assert [(e["at"], e["kind"]) for e in log(units, item_id)][-2:] == [
        ("2026-11-16", "paused"), ("2026-11-17", "resumed")]


def test_cancel_an_open_item(units):
    item_id = new_item(units, "背街小巷亮化", "--source", "群众诉求", "--lead", "交通局", "--co", "财政局",
                       "--due", "2026-12-31")
    out = ok(units("cancel", str(item_id), "--reason", "上级已统一部署，不再单独督办"))
    assert out.startswith(f"事项 #{item_id}：已撤销")
    item = show(units, item_id)
    assert (item["status"], item["light"]) == ("cancelled", None)
    assert [a["status"] for a in item["assignments"]] == ["cancelled", "cancelled"]
    assert kinds(units, item_id)[-2:] == ["cancelled", "cancelled"]
    assert listed(units) == []
    assert [r["status"] for r in listed(units, "--all")] == ["cancelled"]


def test_cancel_a_pending_item(units):
    item_id = new_item(units, "农贸市场改造", "--source", "政府工作报告")
    ok(units("cancel", str(item_id), "--reason", "已并入其他事项"))
    assert show(units, item_id)["status"] == "cancelled"
    assert kinds(units, item_id) == ["created", "cancelled"]


def test_cancel_one_co_unit(units):
    item_id = new_item(units, "背街小巷亮化", "--source", "群众诉求", "--lead", "交通局", "--co", "财政局",
                       "--due", "2026-12-31")
    ok(units("cancel", str(item_id), "--reason", "无需财政配合", "--unit", "财政局"))
    item = show(units, item_id)
    assert item["status"] == "open"
    assert [(a["unit"], a["status"]) for a in item["assignments"]] == [
        ("市交通运输局", "open"), ("市财政局", "cancelled")]


def test_reopen_a_closed_item_with_a_new_deadline(units):
    item_id = new_item(units, "整治占道经营", "--source", "群众诉求", "--lead", "交通局", "--due", "2026-11-20")
    ok(units("close", str(item_id), "--result", "已取缔", today="2026-11-18"))
    out = ok(units("reopen", str(item_id), "--reason", "回头看发现问题反弹", "--within", "5", today="2026-11-30"))
    assert out.startswith(f"事项 #{item_id}：办理中")
    item = show(units, item_id, today="2026-11-30")
    assert (item["status"], item["light"], item["due"], item["workdays_left"]) == ("open", "green", "2026-12-07", 5)
    a = item["assignments"][0]
    assert (a["status"], a["closed_on"], a["due"]) == ("open", None, "2026-12-07")
    assert [(e["at"], e["kind"]) for e in log(units, item_id)][-2:] == [("2026-11-18", "closed"),
                                                                     ("2026-11-30", "reopened")]
    assert "回头看发现问题反弹" in log(units, item_id)[-1]["detail"]


def test_reopen_without_deadline_keeps_the_old_one(units):
    item_id = new_item(units, "整治占道经营", "--source", "群众诉求", "--lead", "交通局", "--due", "2026-11-20")
    ok(units("close", str(item_id), "--result", "已取缔", today="2026-11-18"))
    ok(units("reopen", str(item_id), "--reason", "问题反弹", today="2026-11-24"))
    item = show(units, item_id, today="2026-11-24")
    assert (item["status"], item["due"], item["light"], item["overdue_workdays"]) == ("open", "2026-11-20", "red", 2)


def test_revisit_a_closed_item(units):
    item_id = new_item(units, "整治占道经营", "--source", "群众诉求", "--lead", "交通局", "--due", "2026-12-31")
    ok(units("close", str(item_id), "--result", "已取缔"))
    ok(units("revisit", str(item_id), "--satisfaction", "基本满意", "--note", "群众反映偶有反复", today="2026-12-01"))
    assert show(units, item_id, today="2026-12-01")["status"] == "closed"
    last = log(units, item_id)[-1]
    assert (last["at"], last["kind"], last["unit"]) == ("2026-12-01", "revisited", None)
    assert "基本满意" in last["detail"] and "群众反映偶有反复" in last["detail"]


def test_escalate_records_a_supervision_notice(units):
    item_id = new_item(units, "城东片区改造", "--source", "会议议定", "--lead", "住建局", "--due", "2026-11-13",
                       today="2026-11-02")
    before = show(units, item_id)
    ok(units("escalate", str(item_id), "--kind", "督办单", "--unit", "住建局", "--note", "逾期未反馈"))
    last = log(units, item_id)[-1]
    assert (last["at"], last["kind"], last["unit"]) == ("2026-11-16", "escalated", "市住房和城乡建设局")
    assert "督办单" in last["detail"] and "逾期未反馈" in last["detail"]
    after = show(units, item_id)
    assert (after["status"], after["light"], after["due"]) == (before["status"], before["light"], before["due"])


def test_praise_names_only_a_responsible_unit_of_the_item(units):
    item_id = new_item(units, "城东片区改造", "--source", "会议议定", "--lead", "住建局", "--due", "2026-12-31")
    path = os.environ["DUBAN_DB"]
    before = event_rows(path)
    result = units("escalate", str(item_id), "--kind", "通报表扬", "--unit", "财政局")
    assert result.exit_code == 1
    assert result.stderr == f"错误：单位“市财政局”不是事项 #{item_id} 的责任单位\n"
    assert event_rows(path) == before
    ok(units("close", str(item_id), "--result", "已完成改造"))
    ok(units("escalate", str(item_id), "--kind", "通报表扬", "--unit", "住建局"))  # its own unit, after closure
    ok(units("escalate", str(item_id), "--kind", "通报表扬"))  # the item as a whole
    assert kinds(units, item_id)[-2:] == ["escalated", "escalated"]


def test_a_milestone_on_a_weekend_is_warned_about_as_a_node_date(units):
    item_id = new_item(units, "城东片区改造", "--source", "会议议定", "--lead", "住建局", "--due", "2026-12-31")
    result = units("milestone", "add", str(item_id), "2026-12-20", "开工建设")
    assert result.exit_code == 0, result.output
    assert result.stderr == "注意：节点日期 2026-12-20 是周末，不是工作日\n"
    assert result.stdout == f"事项 #{item_id} 已设定节点1：2026-12-20 开工建设\n"
    created = units("create", "老旧小区改造", "--source", "会议议定", "--lead", "住建局", "--due", "2026-12-20",
                    "--milestone", "2026-12-19:开工")
    assert created.exit_code == 0, created.output
    assert created.stderr == ("注意：办理时限 2026-12-20 是周末，不是工作日\n"
                              "注意：节点日期 2026-12-19 是周末，不是工作日\n")


def test_every_write_appends_exactly_its_events(units):
    path = os.environ["DUBAN_DB"]
    steps = [
        (["create", "整治占道经营", "--source", "群众诉求", "--lead", "交通局", "--co", "财政局",
          "--due", "2026-12-15"], 3),
        (["sign", "1", "--unit", "交通局"], 1),
        (["feedback", "1", "--unit", "交通局", "已开展整治", "--percent", "10"], 1),
        (["extend", "1", "--to", "2026-12-31", "--reason", "年底前完成"], 2),
        (["pause", "1", "--reason", "等待会商"], 2),
        (["resume", "1"], 2),
        (["escalate", "1", "--kind", "约谈"], 1),
        (["close", "1", "--result", "完成"], 2),
        (["revisit", "1", "--satisfaction", "满意"], 1),
        (["reopen", "1", "--reason", "反弹", "--unit", "交通局"], 1),
        (["cancel", "1", "--reason", "不再督办"], 1),
        (["show", "1"], 0),
        (["list", "--all"], 0),
        (["log", "1"], 0),
    ]
    count = event_rows(path)
    for argv, added in steps:
        ok(units(*argv))
        new = event_rows(path)
        assert new - count == added, argv
        count = new


# -- lights ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "created, due, today, light, left, overdue",
    [
        ("2026-11-16", "2026-12-31", "2026-11-16", "green", 33, 0),
        ("2026-11-16", "2026-11-20", "2026-11-16", "green", 4, 0),
        ("2026-11-16", "2026-11-19", "2026-11-16", "yellow", 3, 0),  # 临期: within 3 working days
        ("2026-11-16", "2026-11-17", "2026-11-16", "yellow", 1, 0),
        ("2026-11-16", "2026-11-16", "2026-11-16", "yellow", 0, 0),  # due today
        ("2026-11-16", "2026-11-23", "2026-11-19", "yellow", 2, 0),  # the weekend is not counted
        ("2026-11-16", "2026-11-16", "2026-11-17", "red", 0, 1),
        ("2026-11-02", "2026-11-13", "2026-11-16", "red", 0, 1),  # Friday → Monday: 1 working day late
        ("2026-11-02", "2026-11-13", "2026-11-14", "red", 0, 0),  # past the date, but only a Saturday
        ("2026-11-02", "2026-11-13", "2026-11-27", "red", 0, 10),
        # across 国庆: 10-01…10-07 are not counted, Saturday 10-10 is
        ("2026-09-28", "2026-09-30", "2026-10-05", "red", 0, 0),
        ("2026-09-28", "2026-09-30", "2026-10-09", "red", 0, 2),
        ("2026-09-28", "2026-09-30", "2026-10-12", "red", 0, 4),
        ("2026-09-28", "2026-10-09", "2026-09-30", "yellow", 2, 0),  # nine calendar days, two working days
        ("2026-09-28", "2026-10-14", "2026-09-30", "green", 6, 0),
    ],
)
def test_light(units, created, due, today, light, left, overdue):
    item_id = new_item(units, "推进城区主干道综合整治", "--source", "领导批示", "--lead", "交通局", "--due", due,
                       today=created)
    item = show(units, item_id, today=today)
    assert (item["light"], item["workdays_left"], item["overdue_workdays"]) == (light, left, overdue)
    (row,) = listed(units, today=today)
    assert (row["light"], row["workdays_left"], row["overdue_workdays"]) == (light, left, overdue)
    if light == "red" and overdue:
        assert f"已逾期{overdue}个工作日" in item["light_reason"]
    if light == "yellow" and left:
        assert f"距办理时限还有{left}个工作日" in item["light_reason"]


def test_four_colour_preset_makes_near_due_blue(units):
    item_id = new_item(units, "推进城区主干道综合整治", "--source", "领导批示", "--lead", "交通局",
                       "--due", "2026-11-18")
    assert show(units, item_id)["light"] == "yellow"
    ok(units("rules", "set", "light_preset", "四色"))
    assert show(units, item_id)["light"] == "blue"
    assert [r["id"] for r in listed(units, "--light", "blue")] == [item_id]
    assert listed(units, "--light", "yellow") == []


def test_near_due_threshold_is_a_setting(units):
    item_id = new_item(units, "推进城区主干道综合整治", "--source", "领导批示", "--lead", "交通局",
                       "--due", "2026-11-23")  # 5 working days left
    assert show(units, item_id)["light"] == "green"
    ok(units("rules", "set", "near_due_workdays", "5"))
    assert show(units, item_id)["light"] == "yellow"


@pytest.mark.parametrize(
    "action, status, reason",
    [
        (["pause", "1", "--reason", "等待会商"], "paused", "暂缓办理，不亮灯"),
        (["close", "1", "--result", "完成"], "closed", "已销号"),
        (["cancel", "1", "--reason", "不再督办"], "cancelled", "已撤销"),
    ],
)
def test_no_light_when_not_at_work(units, action, status, reason):
    new_item(units, "城东片区改造", "--source", "会议议定", "--lead", "住建局", "--due", "2026-11-13",
             today="2026-11-02")  # red by 11-16
    ok(units(*action))
    item = show(units, 1)
    assert (item["status"], item["light"], item["light_reason"]) == (status, None, reason)
    assert (item["workdays_left"], item["overdue_workdays"]) == (None, None)
    assert [a["light"] for a in item["assignments"]] == [None]


def test_pending_item_has_no_light(units):
    item_id = new_item(units, "农贸市场改造", "--source", "政府工作报告")
    item = show(units, item_id)
    assert (item["status"], item["light"], item["light_reason"]) == ("pending", None, "待交办")


def test_item_light_is_the_worst_of_its_open_assignments(units):
    item_id = new_item(units, "推进城区主干道综合整治", "--source", "领导批示", "--lead", "交通局",
                       "--due", "2026-12-31")
    assert show(units, item_id)["light"] == "green"
    ok(units("sign", str(item_id), "--unit", "交通局"))  # else 交办3个工作日未签收 by 11-19

    ok(units("assign", str(item_id), "--co", "住建局", "--due", "2026-11-18"))
    item = show(units, item_id)
    assert (item["light"], item["workdays_left"]) == ("yellow", 2)
    assert "市住房和城乡建设局" in item["light_reason"]
    assert [(a["unit"], a["light"]) for a in item["assignments"]] == [
        ("市交通运输局", "green"), ("市住房和城乡建设局", "yellow")]

    ok(units("pause", str(item_id), "--reason", "等待会商", "--unit", "住建局"))
    assert show(units, item_id)["light"] == "green"  # a paused assignment has no light
    ok(units("resume", str(item_id), "--unit", "住建局", "--keep-due", today="2026-11-19"))
    item = show(units, item_id, today="2026-11-19")
    assert (item["light"], item["overdue_workdays"]) == ("red", 1)  # --keep-due: the deadline 11-18 stays
    assert log(units, item_id)[-1]["detail"] == "“市住房和城乡建设局”恢复办理，时限不变"
    assert [r["id"] for r in listed(units, "--light", "red", today="2026-11-19")] == [item_id]

    ok(units("close", str(item_id), "--result", "配合完成", "--unit", "住建局", today="2026-11-19"))
    item = show(units, item_id, today="2026-11-19")
    assert (item["status"], item["light"]) == ("open", "green")


# -- the business date and the ledger file ----------------------------------------------------


def test_duban_today_sets_the_business_date(units):
    item_id = new_item(units, "推进城区主干道综合整治", "--source", "领导批示", "--lead", "交通局", "--within", "3",
                       today="2026-11-18")
    item = show(units, item_id, today="2026-11-18")
    assert (item["created"], item["due"]) == ("2026-11-18", "2026-11-23")
    assert {e["at"] for e in log(units, item_id)} == {"2026-11-18"}


def test_today_option_beats_the_environment(units):
    assert os.environ["DUBAN_TODAY"] == "2026-11-16"
    item_id = int(ok(units("--today", "2026-11-20", "create", "推进城区主干道综合整治", "--source", "领导批示",
                           "--lead", "交通局", "--within", "1")).strip())
    item = json.loads(ok(units("--today", "2026-11-20", "show", str(item_id), "--format", "json")))
    assert (item["created"], item["due"], item["light"]) == ("2026-11-20", "2026-11-23", "yellow")
    assert log(units, item_id)[0]["at"] == "2026-11-20"  # events carry the --today date, not DUBAN_TODAY
    # and a later --today sees it overdue
    later = json.loads(ok(units("--today", "2026-11-25", "show", str(item_id), "--format", "json")))
    assert (later["light"], later["overdue_workdays"]) == ("red", 2)


def test_duban_db_environment_is_the_ledger(duban):
    path = os.environ["DUBAN_DB"]
    assert not os.path.exists(path)
    out = ok(duban("init"))
    assert out.strip() == f"已创建台账：{path}"
    assert os.path.exists(path)
    out = ok(duban("init"))
    assert out.strip() == f"台账已存在：{path}（已检查并升级结构，数据未改动）"


def test_init_twice_keeps_the_data(units):
    item_id = new_item(units, "推进城区主干道综合整治", "--source", "领导批示", "--lead", "交通局")
    before = (ok(units("list", "--all", "--format", "json")), ok(units("unit", "list", "--format", "json")))
    ok(units("init"))
    after = (ok(units("list", "--all", "--format", "json")), ok(units("unit", "list", "--format", "json")))
    assert after == before
    assert show(units, item_id)["lead_unit"] == "市交通运输局"


def test_db_option_uses_a_separate_ledger(units, tmp_path):
    other = tmp_path / "县督查室.db"
    ok(units("--db", str(other), "init"))
    ok(units("--db", str(other), "unit", "add", "县水利局", "--alias", "水利局"))
    out = ok(units("--db", str(other), "create", "修复水毁堤防", "--source", "督查发现问题", "--lead", "水利局",
                   "--due", "2026-12-31"))
    assert out.strip() == "1"
    ok(units("create", "推进城区主干道综合整治", "--source", "领导批示", "--lead", "交通局"))

    theirs = json.loads(ok(units("--db", str(other), "list", "--all", "--format", "json")))
    ours = json.loads(ok(units("list", "--all", "--format", "json")))
    assert [(r["id"], r["title"], r["lead_unit"]) for r in theirs] == [(1, "修复水毁堤防", "县水利局")]
    assert [(r["id"], r["title"], r["lead_unit"]) for r in ours] == [(1, "推进城区主干道综合整治", "市交通运输局")]
    assert [u["name"] for u in json.loads(ok(units("--db", str(other), "unit", "list", "--format", "json")))] == [
        "县水利局"]
    # the other ledger does not know this ledger's units
    result = units("--db", str(other), "create", "x", "--source", "其他", "--lead", "交通局")
    assert result.exit_code == 1


def test_cancel_after_a_co_unit_closed_is_cancelled_not_closed(units):
    item_id = new_item(units, "背街小巷亮化", "--source", "群众诉求", "--lead", "交通局", "--co", "财政局",
                       "--due", "2026-12-31")
    ok(units("close", str(item_id), "--result", "资金已拨付", "--unit", "财政局"))
    out = ok(units("cancel", str(item_id), "--reason", "上级已统一部署，不再单独督办"))
    item = show(units, item_id)
    assert [(a["unit"], a["status"]) for a in item["assignments"]] == [
        ("市交通运输局", "cancelled"), ("市财政局", "closed")]
    assert out.startswith(f"事项 #{item_id}：已撤销")
    assert item["status"] == "cancelled"
