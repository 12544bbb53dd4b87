"""What scripts and people read: JSON keys (CLI.md "JSON"), CSV, plain tables, list filters.

JSON objects are tested whole: the keys are a contract, so a key that appears or
disappears must show up here.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from duban.cli import app

CLI_ITEM_KEYS = {"id", "title", "source", "ref", "leader", "class", "status", "light", "light_reason", "due",
                 "lead_unit", "co_units", "workdays_left", "overdue_workdays", "created", "last_feedback"}
CLI_UNIT_KEYS = {"name", "aliases", "parent", "contact", "phone"}
CLI_EVENT_KEYS = {"at", "kind", "unit", "detail"}
STATUS_CODES = {"pending", "open", "paused", "done", "closed", "cancelled"}
LIGHT_CODES = {"red", "yellow", "green", "blue", None}
EVENT_KINDS = {"created", "assigned", "signed", "feedback", "reminded", "escalated", "extended", "paused",
               "resumed", "closed", "reviewed", "returned", "cancelled", "reopened", "revisited", "imported"}


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.stdout


def as_json(result):
    return json.loads(ok(result))


def as_csv(result) -> list[list[str]]:
    return list(csv.reader(io.StringIO(ok(result))))


def ids(records) -> list[int]:
    return [r["id"] for r in records]


# -- one known item, seen whole --------------------------------------------------------------


@pytest.fixture
def road(units):
    d = units
    assert ok(d("create", "推进城区主干道综合整治", "--source", "领导批示", "--ref", "市委批示〔2026〕12号",
                "--leader", "王市长", "--class", "重点", "--content", "限期完成主干道整治", "--standard", "通过竣工验收",
                "--lead", "交通局", "--co", "财政局", "--co", "市住建局", "--due", "2026-11-30", "--person", "赵六",
                today="2026-11-02")).strip() == "1"
    ok(d("sign", "1", "--unit", "交通局", today="2026-11-03"))
    ok(d("feedback", "1", "--unit", "交通局", "主体工程完成一半", "--percent", "50"))
    return d


ROAD = {
    "id": 1,
    "title": "推进城区主干道综合整治",
    "source": "leader_instruction",
    "source_label": "领导批示",
    "ref": "市委批示〔2026〕12号",
    "leader": "王市长",
    "class": "key",
    "class_label": "重点",
    "status": "open",
    "status_label": "办理中",
    "light": "green",
    "light_reason": "正常推进，距办理时限还有10个工作日",
    "due": "2026-11-30",
    "due_uncertain": False,
    "lead_unit": "市交通运输局",
    "co_units": ["市财政局", "市住房和城乡建设局"],
    "workdays_left": 10,
    "overdue_workdays": 0,
    "created": "2026-11-02",
    "assigned_on": "2026-11-02",
    "last_feedback": "2026-11-16",
    "percent": 50,
    "parent": None,
}


def test_list_json_object_whole(road):
    (record,) = as_json(road("list", "--format", "json"))
    assert CLI_ITEM_KEYS <= set(record)
    assert record == ROAD


def test_show_json_has_the_list_keys_plus_assignments(road):
    shown = as_json(road("show", "1", "--format", "json"))
    assert CLI_ITEM_KEYS | {"assignments"} <= set(shown)
    assert {k: shown[k] for k in ROAD} == ROAD
    assert (shown["content"], shown["standard"]) == ("限期完成主干道整治", "通过竣工验收")
    lead, *co = shown["assignments"]
    expected_lead = {
        "unit": "市交通运输局", "role": "lead", "status": "open", "status_label": "办理中",
        "assigned_on": "2026-11-02", "due": "2026-11-30", "original_due": "2026-11-30", "extensions": 0,
        "person": "赵六", "signed_on": "2026-11-03", "last_feedback": "2026-11-16", "percent": 50,
        "closed_on": None, "result": None, "light": "green", "workdays_left": 10, "overdue_workdays": 0,
    }
    assert {k: lead[k] for k in expected_lead} == expected_lead
    assert [(a["unit"], a["role"], a["signed_on"], a["last_feedback"]) for a in co] == [
        ("市财政局", "co", None, None), ("市住房和城乡建设局", "co", None, None)]


def test_show_json_of_a_pending_item(units):
    ok(units("create", "农贸市场改造", "--source", "政府工作报告", "--ref", "政府工作报告第12项"))
    shown = as_json(units("show", "1", "--format", "json"))
    expected = {"id": 1, "title": "农贸市场改造", "source": "work_report", "ref": "政府工作报告第12项", "leader": None,
                "class": "routine", "status": "pending", "light": None, "light_reason": "待交办", "due": None,
                "lead_unit": None, "co_units": [], "workdays_left": None, "overdue_workdays": None,
                "created": "2026-11-16", "last_feedback": None, "assignments": []}
    assert {k: shown[k] for k in expected} == expected


def test_json_codes_are_the_documented_ones(road):
    ok(road("create", "农贸市场改造", "--source", "群众诉求"))
    ok(road("create", "背街小巷亮化", "--source", "12345", "--lead", "财政局"))
    ok(road("cancel", "3", "--reason", "并入其他事项"))
    for record in as_json(road("list", "--all", "--format", "json")):
        assert record["status"] in STATUS_CODES
        assert record["light"] in LIGHT_CODES
        assert isinstance(record["co_units"], list)
        for key in ("due", "created", "last_feedback"):
            assert record[key] is None or len(record[key]) == 10 and record[key][4] == "-"
    assert {r["source"] for r in as_json(road("list", "--all", "--format", "json"))} == {
        "leader_instruction", "public_request"}


def test_unit_list_json_whole(units):
    ok(units("unit", "add", "市公路事业发展中心", "--alias", "公路中心", "--parent", "交通局", "--contact", "钱七",
             "--phone", "0771-5550104"))
    records = as_json(units("unit", "list", "--format", "json"))
    for r in records:
        assert CLI_UNIT_KEYS <= set(r)
        assert isinstance(r["aliases"], list)
    assert [{**r, "aliases": sorted(r["aliases"])} for r in records] == [
        {"id": 1, "name": "市交通运输局", "aliases": ["交通局"], "parent": None, "contact": "张三",
         "phone": "0771-5550101"},
        {"id": 2, "name": "市财政局", "aliases": ["财政局"], "parent": None, "contact": None, "phone": None},
        {"id": 3, "name": "市住房和城乡建设局", "aliases": sorted(["市住建局", "住建局"]), "parent": None,
         "contact": None, "phone": None},
        {"id": 4, "name": "市公路事业发展中心", "aliases": ["公路中心"], "parent": "市交通运输局", "contact": "钱七",
         "phone": "0771-5550104"},
    ]


def test_log_json_oldest_first(road):
    ok(road("extend", "1", "--to", "2026-12-15", "--reason", "雨季停工", "--unit", "交通局", today="2026-11-17"))
    events = as_json(road("log", "1", "--format", "json"))
    for e in events:
        assert CLI_EVENT_KEYS <= set(e)
        assert e["kind"] in EVENT_KINDS
    assert [(e["at"], e["kind"], e["unit"]) for e in events] == [
        ("2026-11-02", "created", None),
        ("2026-11-02", "assigned", "市交通运输局"),
        ("2026-11-02", "assigned", "市财政局"),
        ("2026-11-02", "assigned", "市住房和城乡建设局"),
        ("2026-11-03", "signed", "市交通运输局"),
        ("2026-11-16", "feedback", "市交通运输局"),
        ("2026-11-17", "extended", "市交通运输局"),
    ]
    assert events[0]["detail"] == "立项：推进城区主干道综合整治（领导批示）"
    assert "主体工程完成一半" in events[5]["detail"]
    assert "2026-11-30" in events[6]["detail"] and "2026-12-15" in events[6]["detail"]
    assert "雨季停工" in events[6]["detail"]


def test_json_lists_have_one_record_per_line(road):
    # grep- and diff-friendly, and written by json's C encoder (indenting every key is 10x slower)
    out = ok(road("log", "1", "--format", "json"))
    lines = out.splitlines()
    assert lines[0] == "[" and lines[-1] == "]"
    assert [json.loads(line.rstrip(",")) for line in lines[1:-1]] == json.loads(out)
    assert len(lines) == len(json.loads(out)) + 2
    assert ok(road("list", "--light", "red", "--format", "json")) == "[]\n"


# -- CSV ------------------------------------------------------------------------------------


def test_list_csv_header_and_values(road):
    rows = as_csv(road("list", "--format", "csv"))
    header, *body = rows
    assert header == list(ROAD)  # same columns, same order as the JSON keys
    assert CLI_ITEM_KEYS <= set(header)
    (row,) = body
    values = dict(zip(header, row))
    assert values["co_units"] == "市财政局、市住房和城乡建设局"
    assert values["title"] == "推进城区主干道综合整治"
    assert values["ref"] == "市委批示〔2026〕12号"
    assert (values["id"], values["workdays_left"], values["overdue_workdays"], values["percent"]) == ("1", "10", "0", "50")
    assert (values["due"], values["created"], values["last_feedback"]) == ("2026-11-30", "2026-11-02", "2026-11-16")
    assert (values["light"], values["status"], values["due_uncertain"]) == ("green", "open", "false")


def test_csv_empty_values_and_quoting(units):
    ok(units("create", '整治"三乱"，规范秩序', "--source", "督查发现问题"))
    header, row = as_csv(units("list", "--format", "csv"))
    values = dict(zip(header, row))
    assert values["title"] == '整治"三乱"，规范秩序'
    assert (values["ref"], values["lead_unit"], values["co_units"], values["light"], values["due"]) == ("", "", "", "", "")
    assert values["status"] == "pending"


def test_unit_list_csv(units):
    header, *rows = as_csv(units("unit", "list", "--format", "csv"))
    assert CLI_UNIT_KEYS <= set(header)
    named = {r[header.index("name")]: dict(zip(header, r)) for r in rows}
    assert named["市住房和城乡建设局"]["aliases"] in ("市住建局、住建局", "住建局、市住建局")
    assert named["市交通运输局"]["phone"] == "0771-5550101"
    assert named["市财政局"]["contact"] == ""


def test_log_csv(road):
    header, *rows = as_csv(road("log", "1", "--format", "csv"))
    assert CLI_EVENT_KEYS <= set(header)
    assert [r[header.index("kind")] for r in rows] == ["created", "assigned", "assigned", "assigned", "signed",
                                                       "feedback"]


@pytest.mark.parametrize("argv", [["list", "--format", "csv"], ["list", "--light", "red", "--format", "csv"]])
def test_empty_csv_still_has_its_header(road, argv):
    ok(road("close", "1", "--result", "完成"))
    rows = as_csv(road(*argv))
    assert rows and rows[0] == list(ROAD)
    assert rows[1:] == []


def test_empty_json_and_table(units):
    assert as_json(units("list", "--format", "json")) == []
    assert ok(units("list")).strip() == "没有符合条件的事项"


def test_create_prints_only_the_id_and_warns_on_stderr(units):
    """Scripts capture the new id from stdout; warnings must not pollute it."""
    result = units("create", "跨年事项", "--source", "领导批示", "--lead", "交通局", "--within", "40")
    assert result.exit_code == 0
    assert result.stdout == "1\n"
    assert result.stderr.startswith("警告：日历尚未收录2027年的节假日安排")
    assert as_json(units("show", "1", "--format", "json"))["due_uncertain"] is True


def test_deadline_on_a_holiday_is_noted_on_stderr(units):
    result = units("create", "国庆值守", "--source", "领导批示", "--lead", "交通局", "--due", "2026-10-01",
                   today="2026-09-28")
    assert result.exit_code == 0
    assert result.stdout == "1\n"
    assert "2026-10-01" in result.stderr and "不是工作日" in result.stderr


# -- tables: plain text when not a terminal, CJK intact ----------------------------------------

TABLE_COMMANDS = [
    ["list"],
    ["list", "--all"],
    ["show", "1"],
    ["show", "1", "--explain"],
    ["log", "1"],
    ["unit", "list"],
    ["rules", "show"],
    ["calendar", "show", "2026"],
]


@pytest.mark.parametrize("no_color", [False, True], ids=["plain", "NO_COLOR"])
@pytest.mark.parametrize("argv", TABLE_COMMANDS, ids=lambda a: "-".join(a))
def test_tables_have_no_ansi_codes_when_not_a_terminal(road, argv, no_color):
    ok(road("create", "[紧急]背街小巷亮化", "--source", "群众诉求", "--lead", "住建局", "--due", "2026-11-13",
            today="2026-11-02"))
    result = road.runner.invoke(app, argv, env={"NO_COLOR": "1"} if no_color else {})
    out = ok(result)
    assert "\x1b[" not in out
    assert "\x1b[" not in result.stderr


def test_list_table_shows_cjk_titles_and_units_intact(road):
    ok(road("create", "[紧急]背街小巷亮化", "--source", "群众诉求", "--lead", "住建局", "--due", "2026-11-13",
            today="2026-11-02"))
    out = ok(road("list"))
    for text in ("推进城区主干道综合整治", "[紧急]背街小巷亮化", "市交通运输局", "市财政局", "红灯", "绿灯",
                 "2026-11-30", "领导批示", "办理中", "逾期 1"):
        assert text in out, text
    assert "督办事项（2项）" in out


def test_show_table_has_the_details(road):
    out = ok(road("show", "1"))
    for text in ("推进城区主干道综合整治", "市委批示〔2026〕12号", "王市长", "限期完成主干道整治", "通过竣工验收",
                 "市交通运输局", "市住房和城乡建设局", "50%", "绿灯"):
        assert text in out, text


def test_log_table_lists_every_event(road):
    out = ok(road("log", "1"))
    for text in ("立项：推进城区主干道综合整治（领导批示）", "签收", "主体工程完成一半", "2026-11-02", "2026-11-16"):
        assert text in out, text


@pytest.mark.parametrize("argv", [["list"], ["show", "1"], ["log", "1"], ["unit", "list"]], ids=lambda a: a[0])
def test_no_color_on_a_terminal_means_no_ansi(road, argv):
    # TTY_COMPATIBLE=1 makes Rich treat the output as a terminal, as a real tty would be
    on_terminal = road.runner.invoke(app, argv, env={"TTY_COMPATIBLE": "1"})
    assert on_terminal.exit_code == 0, on_terminal.output
    assert "\x1b[" in on_terminal.stdout  # the check below is meaningful: a terminal does get styles
    result = road.runner.invoke(app, argv, env={"NO_COLOR": "1", "TTY_COMPATIBLE": "1"})
    assert result.exit_code == 0, result.output
    assert "\x1b[" not in result.stdout


# -- list: scope and filters ----------------------------------------------------------------------


@pytest.fixture
def board(units):
    """Seven items in every state; on 2026-11-16: #1 red, #2 yellow, #3 green, #4 pending,
    #5 closed, #6 cancelled, #7 paused."""
    d = units

    def create(*args, today=None):
        return int(ok(d("create", *args, today=today)).strip())

    assert create("城东片区改造", "--source", "领导批示", "--lead", "交通局", "--due", "2026-11-13",
                  today="2026-11-02") == 1
    assert create("老旧小区加装电梯", "--source", "会议议定", "--lead", "住建局", "--co", "交通局",
                  "--due", "2026-11-18") == 2
    assert create("12345热线噪音投诉", "--source", "12345", "--lead", "财政局", "--due", "2026-12-31") == 3
    assert create("农贸市场改造", "--source", "领导批示") == 4
    assert create("公交站台改造", "--source", "领导批示", "--lead", "交通局", "--due", "2026-12-31") == 5
    ok(d("close", "5", "--result", "已完工"))
    assert create("背街小巷亮化", "--source", "群众诉求", "--lead", "财政局", "--due", "2026-12-31") == 6
    ok(d("cancel", "6", "--reason", "并入其他事项"))
    assert create("城西排水改造", "--source", "文件部署", "--lead", "住建局", "--due", "2026-11-20") == 7
    ok(d("pause", "7", "--reason", "待市政府常务会研究"))
    return d


@pytest.mark.parametrize(
    "filters, expected",
    [
        ([], [1, 2, 3, 4, 7]),  # default: only items still at work
        (["--all"], [1, 2, 3, 4, 5, 6, 7]),
        (["--light", "red"], [1]),
        (["--light", "红"], [1]),
        (["--light", "yellow"], [2]),
        (["--light", "green"], [3]),
        (["--light", "blue"], []),
        (["--light", "none"], [4, 7]),
        (["--unit", "交通局"], [1, 2]),  # lead or co, by alias
        (["--unit", "市交通运输局"], [1, 2]),
        (["--unit", "交通局", "--all"], [1, 2, 5]),
        (["--unit", "住建局"], [2, 7]),
        (["--source", "领导批示"], [1, 4]),
        (["--source", "领导批示", "--all"], [1, 4, 5]),
        (["--source", "leader_instruction"], [1, 4]),
        (["--source", "12345"], [3]),
        (["--source", "群众诉求", "--all"], [3, 6]),
        (["--status", "待交办"], [4]),
        (["--status", "pending"], [4]),
        (["--status", "open"], [1, 2, 3]),
        (["--status", "paused"], [7]),
        (["--status", "已销号"], [5]),
        (["--status", "cancelled"], [6]),
        (["--due-before", "2026-11-19"], [1, 2]),
        (["--due-before", "2026-11-18"], [1]),  # strictly before
        (["--due-before", "2027-01-01"], [1, 2, 3, 7]),
        (["--due-before", "2027-01-01", "--all"], [1, 2, 3, 5, 6, 7]),
        (["--light", "red", "--unit", "交通局"], [1]),
        (["--light", "red", "--unit", "财政局"], []),
        (["--source", "会议议定", "--unit", "住建局", "--light", "yellow"], [2]),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) and all(isinstance(x, str) for x in v) else None,
)
def test_list_filters(board, filters, expected):
    # json and csv keep the order by id for scripts (the table's order is tested in test_clerk.py)
    assert ids(as_json(board("list", *filters, "--format", "json"))) == expected
    header, *rows = as_csv(board("list", *filters, "--format", "csv")) or [[]]
    assert [int(r[0]) for r in rows] == expected


def test_list_table_honours_filters(board):
    out = ok(board("list", "--light", "red"))
    assert "城东片区改造" in out
    assert "老旧小区加装电梯" not in out and "公交站台改造" not in out
    assert "督办事项（1项）" in out
