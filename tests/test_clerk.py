"""办事顺手 (issue #17): tables that fit the terminal, Chinese help and errors, finding, correcting,
dates as people write them and long-term items.

The tables are compared whole, line by line (trailing blanks aside), at 80, 100 and 120 columns.
"""

from __future__ import annotations

import json
import sqlite3

import pytest
from rich.cells import cell_len

from duban.cli import app

SIX = [
    (["推进城区主干道综合整治，完成人民路、民族大道等六条道路的提升改造", "--source", "领导批示", "--ref",
      "市委批示〔2026〕12号", "--leader", "刘市长", "--class", "重点", "--lead", "交通局", "--co", "财政局", "--co",
      "住建局", "--within", "10"], "2026-10-08"),
    (["老旧小区改造", "--source", "政府工作报告", "--lead", "住建局", "--due", "2026-11-18"], "2026-10-20"),
    (["规范公共资源交易", "--source", "会议议定", "--lead", "财政局", "--within", "30"], None),
    (["12345热线转办：某小区路灯不亮", "--source", "群众诉求", "--class", "速办", "--lead", "住建局", "--co",
      "自然资源局", "--within", "3"], None),
    (["待交办事项示例", "--source", "其他"], None),
    (["河长制常态化巡河", "--source", "文件部署", "--lead", "自然资源局", "--due", "长期"], None),
]


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def six(units):
    ok(units("unit", "add", "市自然资源和规划局", "--alias", "自然资源局"))
    for n, (argv, day) in enumerate(SIX, 1):
        assert ok(units("create", *argv, today=day)).strip() == str(n)
    return units


def listed(d, *argv) -> list[int]:
    return [r["id"] for r in json.loads(ok(d("list", *argv, "--format", "json")))]


# -- tables that fit ----------------------------------------------------------------------------

TABLE_SHOW_80 = """\
┏━━━━━━━━━━━━━━━━━━┳━━━━━━┳━━━━━━━━┳━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━┓
┃ 单位             ┃ 角色 ┃ 状态   ┃ 亮灯   ┃ 办理时限   ┃ 最近反馈 ┃ 催办等级 ┃
┡━━━━━━━━━━━━━━━━━━╇━━━━━━╇━━━━━━━━╇━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━┩
│ 市交通运输局     │ 牵头 │ 办理中 │ ● 红灯 │ 2026-10-21 │ —        │ 3        │
│                  │      │        │        │            │          │ 挂牌督办 │
│ 市财政局         │ 配合 │ 办理中 │ ● 红灯 │ 2026-10-21 │ —        │ 3        │
│                  │      │        │        │            │          │ 挂牌督办 │
│ 市住房和城乡建设 │ 配合 │ 办理中 │ ● 红灯 │ 2026-10-21 │ —        │ 3        │
│ 局               │      │        │        │            │          │ 挂牌督办 │
└──────────────────┴──────┴────────┴────────┴────────────┴──────────┴──────────┘
另有4列（签收、下次反馈、进度、办结情况）未显示，加宽终端或用 --format json
                                    最近记录
"""

TABLES = {
    80: """\
                                督办事项（6项）
┏━━━━━━┳━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━┳━━━━━━━━┓
┃ 编号 ┃ 亮灯   ┃ 事项              ┃ 牵头单位 ┃ 办理时限   ┃ 工作日  ┃ 状态   ┃
┡━━━━━━╇━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━╇━━━━━━━━┩
│    1 │ ● 红灯 │ 推进城区主干道综  │ 市交通运 │ 2026-10-21 │ 逾期 18 │ 办理中 │
│      │        │ 合整治，完成人民  │ 输局     │            │         │        │
│      │        │ 路、民族大道等六  │          │            │         │        │
│      │        │ 条道路的提升改造  │          │            │         │        │
│    2 │ ● 黄灯 │ 老旧小区改造      │ 市住房和 │ 2026-11-18 │ 剩 2    │ 办理中 │
│      │        │                   │ 城乡建设 │            │         │        │
│      │        │                   │ 局       │            │         │        │
│    4 │ ● 黄灯 │ 12345热线转办：某 │ 市住房和 │ 2026-11-19 │ 剩 3    │ 办理中 │
│      │        │ 小区路灯不亮      │ 城乡建设 │            │         │        │
│      │        │                   │ 局       │            │         │        │
│    3 │ ● 绿灯 │ 规范公共资源交易  │ 市财政局 │ 2026-12-28 │ 剩 30   │ 办理中 │
│    5 │ —      │ 待交办事项示例    │ —        │ —          │         │ 待交办 │
│    6 │ ● 绿灯 │ 河长制常态化巡河  │ 市自然资 │ 长期       │ 长期    │ 办理中 │
│      │        │                   │ 源和规划 │            │         │        │
│      │        │                   │ 局       │            │         │        │
└──────┴────────┴───────────────────┴──────────┴────────────┴─────────┴────────┘
另有4列（文号、配合单位、最近反馈、来源）未显示，加宽终端或用 --format json
""",
    100: """\
                                          督办事项（6项）
┏━━━━━━┳━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━┳━━━━━━━━┓
┃ 编号 ┃ 亮灯   ┃ 事项                       ┃ 文号     ┃ 牵头单位 ┃ 办理时限   ┃ 工作日  ┃ 状态   ┃
┡━━━━━━╇━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━╇━━━━━━━━┩
│    1 │ ● 红灯 │ 推进城区主干道综合整治，完 │ 市委批示 │ 市交通运 │ 2026-10-21 │ 逾期 18 │ 办理中 │
│      │        │ 成人民路、民族大道等六条道 │ 〔2026〕 │ 输局     │            │         │        │
│      │        │ 路的提升改造               │ 12号     │          │            │         │        │
│    2 │ ● 黄灯 │ 老旧小区改造               │ —        │ 市住房和 │ 2026-11-18 │ 剩 2    │ 办理中 │
│      │        │                            │          │ 城乡建设 │            │         │        │
│      │        │                            │          │ 局       │            │         │        │
│    4 │ ● 黄灯 │ 12345热线转办：某小区路灯  │ —        │ 市住房和 │ 2026-11-19 │ 剩 3    │ 办理中 │
│      │        │ 不亮                       │          │ 城乡建设 │            │         │        │
│      │        │                            │          │ 局       │            │         │        │
│    3 │ ● 绿灯 │ 规范公共资源交易           │ —        │ 市财政局 │ 2026-12-28 │ 剩 30   │ 办理中 │
│    5 │ —      │ 待交办事项示例             │ —        │ —        │ —          │         │ 待交办 │
│    6 │ ● 绿灯 │ 河长制常态化巡河           │ —        │ 市自然资 │ 长期       │ 长期    │ 办理中 │
│      │        │                            │          │ 源和规划 │            │         │        │
│      │        │                            │          │ 局       │            │         │        │
└──────┴────────┴────────────────────────────┴──────────┴──────────┴────────────┴─────────┴────────┘
另有3列（配合单位、最近反馈、来源）未显示，加宽终端或用 --format json
""",
    120: """\
                                                    督办事项（6项）
┏━━━━━━┳━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━┳━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━┓
┃ 编号 ┃ 亮灯   ┃ 事项                     ┃ 文号     ┃ 牵头单位 ┃ 办理时限   ┃ 工作日  ┃ 状态   ┃ 配合单位 ┃ 最近反馈 ┃
┡━━━━━━╇━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━╇━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━┩
│    1 │ ● 红灯 │ 推进城区主干道综合整治， │ 市委批示 │ 市交通运 │ 2026-10-21 │ 逾期 18 │ 办理中 │ 市财政局 │ —        │
│      │        │ 完成人民路、民族大道等六 │ 〔2026〕 │ 输局     │            │         │        │ 市住房和 │          │
│      │        │ 条道路的提升改造         │ 12号     │          │            │         │        │ 城乡建设 │          │
│      │        │                          │          │          │            │         │        │ 局       │          │
│    2 │ ● 黄灯 │ 老旧小区改造             │ —        │ 市住房和 │ 2026-11-18 │ 剩 2    │ 办理中 │ —        │ —        │
│      │        │                          │          │ 城乡建设 │            │         │        │          │          │
│      │        │                          │          │ 局       │            │         │        │          │          │
│    4 │ ● 黄灯 │ 12345热线转办：某小区路  │ —        │ 市住房和 │ 2026-11-19 │ 剩 3    │ 办理中 │ 市自然资 │ —        │
│      │        │ 灯不亮                   │          │ 城乡建设 │            │         │        │ 源和规划 │          │
│      │        │                          │          │ 局       │            │         │        │ 局       │          │
│    3 │ ● 绿灯 │ 规范公共资源交易         │ —        │ 市财政局 │ 2026-12-28 │ 剩 30   │ 办理中 │ —        │ —        │
│    5 │ —      │ 待交办事项示例           │ —        │ —        │ —          │         │ 待交办 │ —        │ —        │
│    6 │ ● 绿灯 │ 河长制常态化巡河         │ —        │ 市自然资 │ 长期       │ 长期    │ 办理中 │ —        │ —        │
│      │        │                          │          │ 源和规划 │            │         │        │          │          │
│      │        │                          │          │ 局       │            │         │        │          │          │
└──────┴────────┴──────────────────────────┴──────────┴──────────┴────────────┴─────────┴────────┴──────────┴──────────┘
另有1列（来源）未显示，加宽终端或用 --format json
""",
}


@pytest.mark.parametrize("width", [80, 100, 120])
def test_list_fits_the_terminal(six, monkeypatch, width):
    monkeypatch.setenv("COLUMNS", str(width))
    out = ok(six("list"))
    assert [line.rstrip() for line in out.splitlines()] == TABLES[width].splitlines()
    assert max(cell_len(line) for line in out.splitlines()) <= width  # nothing cut off by the terminal


def test_a_very_narrow_terminal_keeps_the_item_and_names_what_is_left_out(six, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    out = ok(six("list"))
    note = "".join(out.splitlines()[-2:])
    assert note == "另有6列（文号、工作日、状态、配合单位、最近反馈、来源）未显示，加宽终端或用 --format json"
    assert "推进城区" in out and "市交通运" in out and "2026-10-21" in out
    assert max(cell_len(line) for line in out.splitlines()) <= 60


def test_fit_keeps_columns_by_rank_and_gives_spare_width_to_the_wrapping_ones():
    from duban.render_fit import Col, fit

    cols = [Col("编号", 0), Col("事项", 1, wrap=True, min_width=8, max_width=20), Col("来源", 2)]
    rows = [["1", "一个很长很长很长很长的事项名称", "领导批示"]]
    assert fit(cols, rows, 200) == ([0, 1, 2], [4, 20, 8])
    assert fit(cols, rows, 30) == ([0, 1, 2], [4, 8, 8])  # 1 + (4+3) + (8+3) + (8+3) = 30
    assert fit(cols, rows, 29) == ([0, 1], [4, 18])  # 来源 goes first; 事项 takes its room
    assert fit(cols, rows, 5) == ([0], [4])  # never less than the first column


# -- help and errors in Chinese -----------------------------------------------------------------


def test_help_frames_are_chinese(duban, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    out = ok(duban("feedback", "--help"))
    for word in ("用法：duban feedback [选项] ID 进展情况", "╭─ 参数 ", "╭─ 选项 ", "显示帮助并退出", "[必填]", "<整数>",
                 "<文本>"):
        assert word in out, word
    root = ok(duban("--help"))
    for word in ("用法：duban [选项] 命令 [参数]...", "[环境变量：DUBAN_DB]", "[默认：duban.db]"):
        assert word in root, word
    for english in ("Usage", "Options", "Arguments", "Commands", "Show this message", "[default", "[required]",
                    "[env var", "<int>", "<str>"):
        assert english not in out + root, english


def test_root_help_groups_commands_in_the_order_a_clerk_meets_them(duban, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    root = ok(duban("--help"))
    panels = [line.split("─ ", 1)[1].split(" ", 1)[0] for line in root.splitlines() if line.startswith("╭─ ")]
    assert panels == ["选项", "台账与单位", "事项办理", "每日", "报告", "Excel", "维护"]
    commands = [line.split()[1] for line in root.splitlines() if line.startswith("│ ") and "│" in line[2:]
                and not line.split()[1].startswith("-")]
    first = {name: commands.index(name) for name in ("init", "create", "edit", "list", "report", "import", "check")}
    assert sorted(first, key=first.get) == ["init", "create", "edit", "list", "report", "import", "check"]


@pytest.mark.parametrize("argv, first", [
    (["lsit"], "错误：没有命令“lsit”，是否要用 list？"),
    (["shwo", "1"], "错误：没有命令“shwo”，是否要用 show？"),
    (["feedback", "1", "--unit", "交通局"], "错误：缺少参数：进展情况"),
    (["create"], "错误：缺少参数：事项名称"),
])
def test_click_errors_are_chinese_and_name_what_the_help_names(units, argv, first):
    result = units(*argv)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == first
    assert lines[1].startswith("用法：duban") and lines[2].startswith("查看说明：duban")


@pytest.mark.parametrize("argv, usage, first", [
    (["rules", "set"], "用法：duban rules set [选项] 设置项 新值", "错误：缺少参数：设置项"),
    (["unit", "add"], "用法：duban unit add [选项] 单位全称", "错误：缺少参数：单位全称"),
    (["calendar", "show", "明年"], "用法：duban calendar show [选项] 年份", "错误：年份 的取值“明年”无法识别，应为整数"),
])
def test_every_argument_has_a_chinese_name_in_usage_and_errors(units, argv, usage, first):
    result = units(*argv)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[:2] == [first, usage]


def test_source_is_required_unless_the_item_is_a_sub_item(units):
    result = units("create", "新事项")
    assert (result.exit_code, result.stderr) == (2, "错误：缺少选项：--source\n")


def test_percent_with_a_sign_is_read_as_the_number(six):
    ok(six("feedback", "1", "--unit", "交通局", "完成一半", "--percent", "50%"))
    ok(six("feedback", "3", "--unit", "财政局", "完成六成", "--percent", "６０％"))
    shown = {r["id"]: r["percent"] for r in json.loads(ok(six("list", "--format", "json")))}
    assert (shown[1], shown[3]) == (50, 60)


def test_light_filter_accepts_buliangdeng(six):
    assert listed(six, "--light", "不亮灯") == [5]
    assert listed(six, "--light", "红灯") == [1]


# -- find ---------------------------------------------------------------------------------------


def test_default_order_is_red_first_then_by_deadline(six):
    # 7 is red for a milestone missed 10 working days ago, its deadline is far: red first (1 is 18 days
    # late, then 7), then by deadline 2 (11-18), 4 (11-19), 3 (12-28); those without a deadline last
    ok(six("create", "另一件逾期的事", "--source", "其他", "--lead", "财政局", "--due", "2026-12-31",
           "--milestone", "2026-11-02:完成方案", today="2026-10-30"))
    assert listed(six) == [1, 2, 3, 4, 5, 6, 7]  # json and csv: by id unless --sort is given (scripts)
    assert listed(six, "--sort", "light") == [1, 7, 2, 4, 3, 5, 6]
    rows = [line for line in ok(six("list")).splitlines() if line.startswith("│") and line[1:7].strip()]
    assert [int(line.split("│")[1]) for line in rows] == [1, 7, 2, 4, 3, 5, 6]  # the table: red first
    assert listed(six, "--sort", "due") == [1, 2, 4, 3, 7, 5, 6]
    assert listed(six, "--sort", "id") == [1, 2, 3, 4, 5, 6, 7]


@pytest.mark.parametrize("argv, expected", [
    (["--grep", "路灯"], [4]),
    (["--grep", "人民路 民族大道"], [1]),
    (["--grep", "人民路 路灯"], []),
    (["--grep", "自然资源"], [4, 6]),  # a unit's name is searched too
    (["--leader", "刘市长"], [1]),
    (["--leader", "王市长"], []),
    (["--ref", "〔2026〕12号"], [1]),
    (["--ref", "[2026]12号"], [1]),
    (["--ref", "（2026）12 号"], [1]),
    (["--ref", "〔2026〕13号"], []),
    (["--class", "重点"], [1]),
    (["--class", "速办", "--grep", "路灯"], [4]),
])
def test_list_finds_by_word_leader_ref_and_class(six, argv, expected):
    assert listed(six, *argv) == expected


# -- correct ------------------------------------------------------------------------------------


def test_edit_is_one_amended_event_with_old_and_new_values(six, monkeypatch):
    import os

    before = sqlite3.connect(os.environ["DUBAN_DB"]).execute("SELECT count(*) FROM events").fetchone()[0]
    out = ok(six("edit", "1", "--ref", "市委批示〔2026〕13号", "--leader", "张副市长", "--title", "推进主干道整治"))
    assert out == "事项 #1：办理中，已逾期18个工作日（办理时限 2026-10-21）\n"
    conn = sqlite3.connect(os.environ["DUBAN_DB"])
    rows = conn.execute("SELECT kind, at, detail, data FROM events WHERE id > (SELECT max(id) - 1 FROM events)").fetchall()
    assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == before + 1
    kind, at, detail, data = rows[0]
    assert (kind, at) == ("amended", "2026-11-16")
    assert detail == ("修改：事项名称由“推进城区主干道综合整治，完成人民路、民族大道等六条道路的提升改造”改为“推进主干道整治”；"
                      "文号由“市委批示〔2026〕12号”改为“市委批示〔2026〕13号”；牵头领导由“刘市长”改为“张副市长”")
    assert json.loads(data) == {"changes": {
        "title": {"old": "推进城区主干道综合整治，完成人民路、民族大道等六条道路的提升改造", "new": "推进主干道整治"},
        "ref": {"old": "市委批示〔2026〕12号", "new": "市委批示〔2026〕13号"},
        "leader": {"old": "刘市长", "new": "张副市长"}}}
    record = json.loads(ok(six("show", "1", "--format", "json")))
    assert (record["title"], record["ref"], record["leader"]) == ("推进主干道整治", "市委批示〔2026〕13号", "张副市长")
    log = json.loads(ok(six("log", "1", "--format", "json")))
    assert (log[-1]["kind"], log[-1]["kind_label"], log[-1]["detail"]) == ("amended", "修改", detail)
    assert listed(six, "--ref", "〔2026〕13号") == [1]
    # the replay of the log gives what is stored
    check = six("check", "--format", "json")
    assert check.exit_code == 0, check.output
    # and show --as-of an earlier day still gives the old 文号
    old = json.loads(ok(six("show", "1", "--as-of", "2026-11-13", "--format", "json")))
    assert old["ref"] == "市委批示〔2026〕12号"


def test_edit_clears_an_optional_field_and_refuses_no_change(six):
    ok(six("edit", "1", "--leader", ""))
    assert json.loads(ok(six("show", "1", "--format", "json")))["leader"] is None
    result = six("edit", "1", "--ref", "市委批示〔2026〕12号")
    assert result.exit_code == 1
    assert result.stderr == "错误：事项 #1 没有需要修改的内容（给出的值与现有相同）\n"
    result = six("edit", "1", "--title", " ")
    assert (result.exit_code, result.stderr) == (1, "错误：事项名称不能为空\n")
    result = six("edit", "99", "--title", "无")
    assert (result.exit_code, result.stderr) == (1, "错误：未找到事项 #99\n")


def test_a_changed_class_changes_the_cadence_and_the_light(six):
    # item 3 (常规: 按月) assigned 11-16; on 11-20 it is green. As 速办 (every 3 working days) its first
    # report was due 11-19 and is late by 11-20: yellow.
    def light(day):
        record = json.loads(ok(six("show", "3", "--format", "json", today=day)))
        lead = record["assignments"][0]
        return record["light"], lead["feedback_due"]

    ok(six("sign", "3", "--unit", "财政局", today="2026-11-16"))  # signed: no 签收 finding
    assert light("2026-11-20") == ("green", "2026-12-31")
    ok(six("edit", "3", "--class", "速办", today="2026-11-17"))
    assert light("2026-11-20") == ("yellow", "2026-11-19")
    log = json.loads(ok(six("log", "3", "--format", "json")))
    assert log[-1]["detail"] == "修改：类别由“常规”改为“速办”"


# -- dates as people write them, and 长期 -------------------------------------------------------


@pytest.mark.parametrize("due, expected", [
    ("2026年12月31日", "2026-12-31"),
    ("2026.12.30", "2026-12-30"),
    ("12月底前", "2026-12-31"),
    ("2026年12月底前", "2026-12-31"),
    ("年底前", "2026-12-31"),
    ("2027年上半年", "2027-06-30"),
    ("12月20日前", "2026-12-20"),
])
def test_due_as_people_write_it(units, due, expected):
    assert ok(units("create", "新事项", "--source", "其他", "--lead", "交通局", "--due", due)).strip() == "1"
    assert json.loads(ok(units("show", "1", "--format", "json")))["due"] == expected


def test_other_date_options_read_the_same_way(six):
    ok(six("extend", "3", "--to", "2027年3月底前", "--reason", "等待省级批复"))
    assert json.loads(ok(six("show", "3", "--format", "json")))["due"] == "2027-03-31"
    assert listed(six, "--due-before", "11月底前") == [1, 2, 4]
    ok(six("milestone", "add", "3", "2027年1月底", "完成招标"))
    assert json.loads(ok(six("show", "3", "--format", "json")))["milestones"][0]["due"] == "2027-01-31"


def test_long_term_item_has_no_deadline_and_is_lit_by_cadence_and_milestones(six):
    record = json.loads(ok(six("show", "6", "--format", "json")))
    assert (record["due"], record["light"], record["light_reason"]) == (None, "green", "长期事项，未设办理时限")
    assert record["assignments"][0]["feedback_due"] == "2026-12-31"  # cadence_longterm: 按月
    # a month later with no report: yellow for the late report, still no deadline
    later = json.loads(ok(six("show", "6", "--format", "json", today="2027-01-05")))
    assert later["light"] == "yellow" and later["due"] is None
    # a missed milestone lights it red
    ok(six("milestone", "add", "6", "2026-11-20", "完成第一轮巡河"))
    assert json.loads(ok(six("show", "6", "--format", "json", today="2026-11-23")))["light"] == "red"
    log = json.loads(ok(six("log", "6", "--format", "json")))
    assert log[1]["detail"] == "交办牵头单位“市自然资源和规划局”，长期事项，不设办理时限"


def test_long_term_pending_item_stays_long_term_when_assigned(units):
    ok(units("create", "持续推进营商环境", "--source", "文件部署", "--due", "长期"))
    ok(units("assign", "1", "--lead", "交通局", "--co", "财政局"))
    record = json.loads(ok(units("show", "1", "--format", "json")))
    assert record["due"] is None and [a["due"] for a in record["assignments"]] == [None, None]
    ok(units("assign", "1", "--co", "住建局"))
    assert json.loads(ok(units("show", "1", "--format", "json")))["assignments"][2]["due"] is None


def test_long_term_with_a_date_or_within_is_refused(units):
    result = units("create", "新事项", "--source", "其他", "--lead", "交通局", "--due", "长期", "--within", "3")
    assert (result.exit_code, result.stderr) == (2, "错误：--due 与 --within 只能给出一个\n")


# -- shell completion (bash, zsh) -----------------------------------------------------------------


def _complete(env_extra: dict, db: str) -> str:
    import os
    import subprocess
    import sys

    env = {**os.environ, "DUBAN_DB": db, **env_extra}
    done = subprocess.run([sys.executable, "-m", "duban.cli"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_bash_completion_offers_commands_item_ids_and_units(six):
    import os

    db = os.environ["DUBAN_DB"]
    ok(six("close", "3", "--result", "已完成"))  # closed items are not offered
    bash = {"_DUBAN_COMPLETE": "complete_bash"}
    assert _complete({**bash, "COMP_WORDS": "duban li", "COMP_CWORD": "1"}, db).split() == ["list"]
    assert _complete({**bash, "COMP_WORDS": "duban show ", "COMP_CWORD": "2"}, db).split() == ["1", "2", "4", "5", "6"]
    assert _complete({**bash, "COMP_WORDS": "duban feedback 1 --unit 市", "COMP_CWORD": "4"}, db).split() == [
        "市交通运输局", "市财政局", "市住房和城乡建设局", "市自然资源和规划局", "市住建局"]  # names, then aliases
    assert _complete({**bash, "COMP_WORDS": "duban create 新 --lead 交", "COMP_CWORD": "4"}, db).split() == ["交通局"]
    script = _complete({"_DUBAN_COMPLETE": "source_bash"}, db)
    assert "complete -o default -F _duban_completion duban" in script


def test_zsh_completion_offers_item_ids_with_their_titles(six):
    import os

    out = _complete({"_DUBAN_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "duban edit "}, os.environ["DUBAN_DB"])
    assert out.startswith("_arguments '*: :((\"1\":\"推进城区主干道综合整治")
    assert '"2":"老旧小区改造"' in out and '"6":"河长制常态化巡河"' in out
    assert "compdef _duban_completion duban" in _complete({"_DUBAN_COMPLETE": "source_zsh"}, os.environ["DUBAN_DB"])


def test_completion_without_a_ledger_offers_nothing_and_creates_nothing(tmp_path):
    missing = tmp_path / "none.db"
    out = _complete({"_DUBAN_COMPLETE": "complete_bash", "COMP_WORDS": "duban show ", "COMP_CWORD": "2"}, str(missing))
    assert out.strip() == "" and not missing.exists()


def test_bash_really_completes_from_the_sourced_script(six, tmp_path):
    import os
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    bash = shutil.which("bash")
    duban = shutil.which("duban") or str(Path(sys.executable).with_name("duban"))
    if bash is None or not os.path.exists(duban):
        pytest.skip("bash or the duban script is not installed here")
    script = tmp_path / "duban.bash"
    script.write_text(_complete({"_DUBAN_COMPLETE": "source_bash"}, os.environ["DUBAN_DB"]))
    line = ('source "$1"; COMP_WORDS=(duban sign ""); COMP_CWORD=2; _duban_completion duban; '
            'printf "%s\\n" "${COMPREPLY[@]}"')
    env = {**os.environ, "PATH": f"{Path(duban).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run([bash, "--norc", "-c", line, "bash", str(script)], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.split() == ["1", "2", "3", "4", "5", "6"], done.stderr


# -- split (create --parent) ----------------------------------------------------------------------


@pytest.fixture
def split(six):
    """Item 2 (住建局, due 11-18, yellow) split into 7 (住建局, 12-31) and 8 (交通局, 11-10: overdue 4)."""
    assert ok(six("create", "人民路段", "--parent", "2", "--lead", "住建局", "--due", "12月底前")).strip() == "7"
    assert ok(six("create", "民族大道段", "--parent", "2", "--lead", "交通局", "--due", "2026-11-10",
                  today="2026-10-20")).strip() == "8"
    return six


def test_a_sub_item_takes_its_parents_source_ref_leader_and_class(six):
    ok(six("create", "主干道人民路段", "--parent", "1", "--lead", "住建局", "--within", "5"))
    record = json.loads(ok(six("show", "7", "--format", "json")))
    assert (record["parent"], record["source"], record["ref"], record["leader"], record["class"]) == (
        1, "leader_instruction", "市委批示〔2026〕12号", "刘市长", "key")
    assert json.loads(ok(six("log", "7", "--format", "json")))[0]["detail"] == "立项：主干道人民路段（领导批示），分解自事项 #1"


def test_the_parent_is_lit_by_the_worst_of_itself_and_its_open_sub_items(split):
    shown = json.loads(ok(split("show", "2", "--format", "json")))
    assert (shown["light"], shown["light_reason"]) == (
        "red", "子事项 #8“民族大道段”：已逾期4个工作日（办理时限 2026-11-10）")
    assert shown["assignments"][0]["light"] == "yellow"  # its own unit is near its deadline
    assert [(c["id"], c["light"], c["parent"]) for c in shown["children"]] == [(7, "green", 2), (8, "red", 2)]
    assert listed(split, "--light", "red") == [1, 2, 8]
    ok(split("close", "8", "--result", "民族大道段整治完成"))
    back = json.loads(ok(split("show", "2", "--format", "json")))
    assert (back["light"], back["light_reason"]) == ("yellow", "距办理时限还有2个工作日（临期阈值3个工作日）")
    assert [(c["id"], c["status"], c["light"]) for c in back["children"]] == [(7, "open", "green"), (8, "closed", None)]


def test_show_lists_the_sub_items_with_their_lights(split, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    lines = [line.rstrip() for line in ok(split("show", "2")).splitlines()]
    start = lines.index(next(line for line in lines if line.strip() == "子事项"))
    assert lines[start + 1:start + 7] == [
        "┏━━━━━━┳━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━┓",
        "┃ 编号 ┃ 亮灯   ┃ 事项       ┃ 牵头单位           ┃ 办理时限   ┃ 状态   ┃",
        "┡━━━━━━╇━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━┩",
        "│ 7    │ ● 绿灯 │ 人民路段   │ 市住房和城乡建设局 │ 2026-12-31 │ 办理中 │",
        "│ 8    │ ● 红灯 │ 民族大道段 │ 市交通运输局       │ 2026-11-10 │ 办理中 │",
        "└──────┴────────┴────────────┴────────────────────┴────────────┴────────┘",
    ]
    child = ok(split("show", "8"))
    assert "上级事项  #2" in child


def test_list_tree_puts_sub_items_under_their_parent(split, monkeypatch):
    # 8 and its parent 2 are both 4 working days late (2 through 8): the earlier deadline first
    assert listed(split, "--sort", "light") == [1, 8, 2, 4, 3, 7, 5, 6]
    assert listed(split, "--tree", "--sort", "light") == [1, 2, 8, 7, 4, 3, 5, 6]
    assert listed(split, "--tree") == [1, 2, 7, 8, 3, 4, 5, 6]
    monkeypatch.setenv("COLUMNS", "120")
    rows = [line for line in ok(split("list", "--tree")).splitlines() if line.startswith("│") and line[1:6].strip()]
    assert [line.split("│")[3].strip() for line in rows][1:4] == ["老旧小区改造", "└ 民族大道段", "└ 人民路段"]
    record = json.loads(ok(split("list", "--tree", "--format", "json")))[2]
    assert (record["id"], record["parent"]) == (7, 2) and "tree" not in json.dumps(record)
    # a filter that leaves the parent out lists the sub-item on its own
    assert listed(split, "--tree", "--unit", "交通局") == [1, 8]


def test_statistics_count_each_assignment_once(split):
    stats = json.loads(ok(split("report", "stats", "--format", "json")))[-1]
    # lead assignments: 1, 2, 3, 4, 6, 7, 8 (5 is pending); overdue: 1 and 8, not their parent 3 again
    assert (stats["group"], stats["total"], stats["overdue"]) == ("全部", 7, 2)


@pytest.mark.parametrize("argv, code, message", [
    (["create", "子子项", "--parent", "8"], 1, "错误：事项 #8 本身是事项 #2 的子事项，不能再分解（请以 #2 为 --parent）"),
    (["create", "子项", "--parent", "99"], 1, "错误：未找到事项 #99"),
    (["--today", "2026-10-19", "create", "子项", "--parent", "2"], 1,
     "错误：事项 #2 立项于 2026-10-20，不能在此前（2026-10-19）分解"),
])
def test_splitting_refuses_what_cannot_be_split(split, argv, code, message):
    import os

    before = sqlite3.connect(os.environ["DUBAN_DB"]).execute("SELECT count(*) FROM events").fetchone()[0]
    result = split(*argv)
    assert (result.exit_code, result.stderr) == (code, message + "\n")
    assert sqlite3.connect(os.environ["DUBAN_DB"]).execute("SELECT count(*) FROM events").fetchone()[0] == before


def test_a_closed_item_cannot_be_split(six):
    ok(six("close", "3", "--result", "已完成"))
    result = six("create", "子项", "--parent", "3")
    assert (result.exit_code, result.stderr) == (1, "错误：事项 #3 状态为“已销号”，不能再分解出子事项\n")


def test_check_replays_a_split_ledger_cleanly(split):
    result = split("check")
    assert result.exit_code == 0, result.output
    assert "未发现问题" in result.stdout


# -- merge ----------------------------------------------------------------------------------------


@pytest.fixture
def merged(six):
    """7 is item 4 registered a second time (same 工单, same unit), with a report of its own; merged into 4."""
    assert ok(six("create", "路灯不亮（12345重复转办）", "--source", "群众诉求", "--lead", "住建局", "--within", "3",
                  today="2026-11-13")).strip() == "7"
    ok(six("feedback", "7", "--unit", "住建局", "已派人现场查看", today="2026-11-13"))
    out = ok(six("merge", "4", "7", "--reason", "同一工单重复立项"))
    assert out.splitlines()[0] == "事项 #7 已合并到事项 #4"
    return six


def test_merge_leaves_drop_out_of_lists_and_counts_but_readable(merged):
    assert 7 not in listed(merged)
    every = {r["id"]: r for r in json.loads(ok(merged("list", "--all", "--format", "json")))}
    assert (every[7]["status"], every[7]["status_label"], every[7]["light"]) == ("merged", "已合并", None)
    assert listed(merged, "--status", "已合并") == [7]
    stats = json.loads(ok(merged("report", "stats", "--format", "json")))[-1]
    assert stats["total"] == 5  # the lead assignments of 1, 2, 3, 4 and 6: not 7's
    drop = json.loads(ok(merged("show", "7", "--format", "json")))
    assert (drop["merged_into"], drop["assignments"][0]["status"], drop["assignments"][0]["last_feedback"]) == (
        4, "merged", "2026-11-13")
    keep = json.loads(ok(merged("show", "4", "--format", "json")))
    assert [(m["id"], m["lead_unit"], m["due"], m["last_feedback"]) for m in keep["merged_from"]] == [
        (7, "市住房和城乡建设局", "2026-11-18", "2026-11-13")]
    assert keep["status"] == "open" and keep["light"] == "yellow"


def test_merge_writes_one_event_on_each_item_and_show_says_where_it_went(merged):
    assert json.loads(ok(merged("log", "7", "--format", "json")))[-1]["detail"] == (
        "合并到事项 #4“12345热线转办：某小区路灯不亮”：同一工单重复立项")
    assert json.loads(ok(merged("log", "4", "--format", "json")))[-1]["detail"] == (
        "并入事项 #7“路灯不亮（12345重复转办）”：同一工单重复立项")
    assert "合并到    事项 #4（duban show 4）" in ok(merged("show", "7"))
    assert "已并入的事项" in ok(merged("show", "4"))
    check = merged("check", "--format", "json")
    assert check.exit_code == 0 and json.loads(check.stdout) == []
    quick = merged("check", "--quick", "--format", "json")
    assert quick.exit_code == 0 and json.loads(quick.stdout) == []


@pytest.mark.parametrize("argv, message", [
    (["merge", "4", "7", "--reason", "再合并一次"], "错误：事项 #7 状态为“已合并”，不能合并到其他事项"),
    (["merge", "7", "1", "--reason", "并入已合并的"], "错误：事项 #7 状态为“已合并”，不能并入其他事项"),
    (["merge", "4", "4", "--reason", "自己"], "错误：不能把事项 #4 合并到它自己"),
    (["merge", "4", "1", "--reason", " "], "错误：合并理由不能为空"),
    (["merge", "4", "99", "--reason", "不存在"], "错误：未找到事项 #99"),
    (["feedback", "7", "--unit", "住建局", "还在办"], "错误：事项 #7 在“市住房和城乡建设局”处的状态为“已合并”，不能反馈进展"),
])
def test_merge_refusals_write_nothing(merged, argv, message):
    import os

    count = lambda: sqlite3.connect(os.environ["DUBAN_DB"]).execute("SELECT count(*) FROM events").fetchone()[0]
    before = count()
    result = merged(*argv)
    assert (result.exit_code, result.stderr) == (1, message + "\n")
    assert count() == before


def test_check_lists_likely_duplicates_with_a_code(six):
    ok(six("create", "关于推进城区主干道综合整治，完成人民路、民族大道等六条道路的提升改造", "--source", "领导批示",
           "--lead", "交通局", "--within", "5"))
    ok(six("create", "规范公共资源交易工作", "--source", "会议议定", "--lead", "住建局", "--within", "5"))  # other unit
    found = json.loads(ok(six("check", "--format", "json")))
    assert found == [{
        "code": "likely_duplicate", "severity": "warning", "item_id": 7, "unit": "市交通运输局",
        "message": "事项 #1“推进城区主干道综合整治，完成人民路、民族大道等六条道路的提升改造”与 #7“关于推进城区主干道"
                   "综合整治，完成人民路、民族大道等六条道路的提升改造”的牵头单位都是“市交通运输局”，名称相近，可能重复立项；"
                   "如为同一事由，可用 duban merge 1 7 --reason 理由 合并"}]
    ok(six("merge", "1", "7", "--reason", "同一批示重复立项"))
    assert json.loads(ok(six("check", "--format", "json"))) == []


def test_likely_duplicates_skip_sub_items_and_other_units():
    from duban.ledger_clerk import likely_duplicates

    rows = [(1, "推进主干道整治", 10, None), (2, "推进主干道整治（人民路段）", 10, 1), (3, "推进主干道整治。", 11, None),
            (4, "推进主干道 整治", 10, None)]
    assert likely_duplicates(rows) == [(1, 4), (2, 4)]
    numbered = [(1, "12345工单（2611050117）：小区垃圾清运不及时", 10, None),
                (2, "12345工单（2611050118）：小区垃圾清运不及时", 10, None), (3, "写入者0的事项1", 10, None),
                (4, "写入者0的事项2", 10, None)]
    assert likely_duplicates(numbered) == []


@pytest.mark.parametrize("width", [80, 100, 120])
@pytest.mark.parametrize("argv", [["show", "1"], ["overdue"], ["log", "1"]])
def test_other_tables_fit_too(six, monkeypatch, width, argv):
    monkeypatch.setenv("COLUMNS", str(width))
    out = ok(six(*argv))
    lines = out.splitlines()
    assert max(cell_len(line) for line in lines) <= width
    assert "…" not in out  # nothing cut short
    assert "市住房和城乡建设" in out.replace("\n", "").replace("│", "").replace(" ", "")


@pytest.fixture
def planned(six):
    """Item 1 with a sub-item (7), two milestones (one missed) and item 3 merged into it."""
    ok(six("create", "主干道人民路段提升改造，完成路面、人行道和路灯改造", "--parent", "1", "--lead", "住建局", "--within", "5",
           today="2026-10-09"))
    ok(six("milestone", "add", "1", "2026-11-13", "完成六条道路的施工招标、监理招标并进场施工，同步做好交通组织方案"))
    ok(six("milestone", "add", "1", "2026-12-15", "完成人民路、民族大道路面改造"))
    ok(six("merge", "1", "3", "--reason", "同一批示重复立项"))
    return six


SHOW = {
    80: """\
事项 #1  推进城区主干道综合整治，完成人民路、民族大道等六条道路的提升改造
立项依据  领导批示
文号      市委批示〔2026〕12号
牵头领导  刘市长
类别      重点
立项日期  2026-10-08
交办日期  2026-10-08
办理时限  2026-10-21
状态      办理中
亮灯      ● 红灯  已逾期18个工作日（办理时限 2026-10-21）
                                    责任单位
┏━━━━━━━━━━━━━━━━━━┳━━━━━━┳━━━━━━━━┳━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━┓
┃ 单位             ┃ 角色 ┃ 状态   ┃ 亮灯   ┃ 办理时限   ┃ 最近反馈 ┃ 催办等级 ┃
┡━━━━━━━━━━━━━━━━━━╇━━━━━━╇━━━━━━━━╇━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━┩
│ 市交通运输局     │ 牵头 │ 办理中 │ ● 红灯 │ 2026-10-21 │ —        │ 3        │
│                  │      │        │        │            │          │ 挂牌督办 │
│ 市财政局         │ 配合 │ 办理中 │ ● 红灯 │ 2026-10-21 │ —        │ 3        │
│                  │      │        │        │            │          │ 挂牌督办 │
│ 市住房和城乡建设 │ 配合 │ 办理中 │ ● 红灯 │ 2026-10-21 │ —        │ 3        │
│ 局               │      │        │        │            │          │ 挂牌督办 │
└──────────────────┴──────┴────────┴────────┴────────────┴──────────┴──────────┘
另有4列（签收、下次反馈、进度、办结情况）未显示，加宽终端或用 --format json
                                     子事项
┏━━━━━━┳━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━┓
┃ 编号 ┃ 亮灯   ┃ 事项                        ┃ 牵头单位 ┃ 办理时限   ┃ 状态   ┃
┡━━━━━━╇━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━┩
│ 7    │ ● 红灯 │ 主干道人民路段提升改造，完  │ 市住房和 │ 2026-10-15 │ 办理中 │
│      │        │ 成路面、人行道和路灯改造    │ 城乡建设 │            │        │
│      │        │                             │ 局       │            │        │
└──────┴────────┴─────────────────────────────┴──────────┴────────────┴────────┘
                              已并入的事项
┏━━━━━━┳━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━┓
┃ 编号 ┃ 事项             ┃ 牵头单位 ┃ 配合单位 ┃ 办理时限   ┃ 最近反馈 ┃
┡━━━━━━╇━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━┩
│ 3    │ 规范公共资源交易 │ 市财政局 │ —        │ 2026-12-28 │ —        │
└──────┴──────────────────┴──────────┴──────────┴────────────┴──────────┘
                                      节点
┏━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━┓
┃ 序号 ┃ 日期       ┃ 节点内容                              ┃ 完成情况         ┃
┡━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━┩
│ 1    │ 2026-11-13 │ 完成六条道路的施工招标、监理招标并进  │ 未完成（已逾期） │
│      │            │ 场施工，同步做好交通组织方案          │                  │
│ 2    │ 2026-12-15 │ 完成人民路、民族大道路面改造          │ 未到期           │
└──────┴────────────┴───────────────────────────────────────┴──────────────────┘
                                    最近记录
┏━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
┃ 日期       ┃ 类型     ┃ 单位               ┃ 内容                            ┃
┡━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩
│ 2026-10-08 │ 立项     │ —                  │ 立项：推进城区主干道综合整治，  │
│            │          │                    │ 完成人民路、民族大道等六条道路  │
│            │          │                    │ 的提升改造（领导批示）          │
│ 2026-10-08 │ 交办     │ 市交通运输局       │ 交办牵头单位“市交通运输局”，办  │
│            │          │                    │ 理时限 2026-10-21               │
│ 2026-10-08 │ 交办     │ 市财政局           │ 交办配合单位“市财政局”，办理时  │
│            │          │                    │ 限 2026-10-21                   │
│ 2026-10-08 │ 交办     │ 市住房和城乡建设局 │ 交办配合单位“市住房和城乡建设   │
│            │          │                    │ 局”，办理时限 2026-10-21        │
│ 2026-11-16 │ 设定节点 │ —                  │ 设定节点：2026-11-13 完成六条道 │
│            │          │                    │ 路的施工招标、监理招标并进场施  │
│            │          │                    │ 工，同步做好交通组织方案        │
│ 2026-11-16 │ 设定节点 │ —                  │ 设定节点：2026-12-15 完成人民   │
│            │          │                    │ 路、民族大道路面改造            │
│ 2026-11-16 │ 合并     │ —                  │ 并入事项 #3“规范公共资源交易”： │
│            │          │                    │ 同一批示重复立项                │
└────────────┴──────────┴────────────────────┴─────────────────────────────────┘
""",
    120: """\
事项 #1  推进城区主干道综合整治，完成人民路、民族大道等六条道路的提升改造
立项依据  领导批示
文号      市委批示〔2026〕12号
牵头领导  刘市长
类别      重点
立项日期  2026-10-08
交办日期  2026-10-08
办理时限  2026-10-21
状态      办理中
亮灯      ● 红灯  已逾期18个工作日（办理时限 2026-10-21）
                                                        责任单位
┏━━━━━━━━━━━━━━━━━━┳━━━━━━┳━━━━━━━━┳━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━┓
┃ 单位             ┃ 角色 ┃ 状态   ┃ 亮灯   ┃ 办理时限   ┃ 签收   ┃ 最近反馈 ┃ 下次反馈   ┃ 进度 ┃ 催办等级 ┃ 办结情况 ┃
┡━━━━━━━━━━━━━━━━━━╇━━━━━━╇━━━━━━━━╇━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━┩
│ 市交通运输局     │ 牵头 │ 办理中 │ ● 红灯 │ 2026-10-21 │ 未签收 │ —        │ 2026-10-20 │ —    │ 3        │ —        │
│                  │      │        │        │            │        │          │            │      │ 挂牌督办 │          │
│ 市财政局         │ 配合 │ 办理中 │ ● 红灯 │ 2026-10-21 │ 未签收 │ —        │ —          │ —    │ 3        │ —        │
│                  │      │        │        │            │        │          │            │      │ 挂牌督办 │          │
│ 市住房和城乡建设 │ 配合 │ 办理中 │ ● 红灯 │ 2026-10-21 │ 未签收 │ —        │ —          │ —    │ 3        │ —        │
│ 局               │      │        │        │            │        │          │            │      │ 挂牌督办 │          │
└──────────────────┴──────┴────────┴────────┴────────────┴────────┴──────────┴────────────┴──────┴──────────┴──────────┘
                                                     子事项
┏━━━━━━┳━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━┓
┃ 编号 ┃ 亮灯   ┃ 事项                                               ┃ 牵头单位           ┃ 办理时限   ┃ 状态   ┃
┡━━━━━━╇━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━┩
│ 7    │ ● 红灯 │ 主干道人民路段提升改造，完成路面、人行道和路灯改造 │ 市住房和城乡建设局 │ 2026-10-15 │ 办理中 │
└──────┴────────┴────────────────────────────────────────────────────┴────────────────────┴────────────┴────────┘
                              已并入的事项
┏━━━━━━┳━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━┓
┃ 编号 ┃ 事项             ┃ 牵头单位 ┃ 配合单位 ┃ 办理时限   ┃ 最近反馈 ┃
┡━━━━━━╇━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━┩
│ 3    │ 规范公共资源交易 │ 市财政局 │ —        │ 2026-12-28 │ —        │
└──────┴──────────────────┴──────────┴──────────┴────────────┴──────────┘
                                                   节点
┏━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━┓
┃ 序号 ┃ 日期       ┃ 节点内容                                                         ┃ 完成情况         ┃
┡━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━┩
│ 1    │ 2026-11-13 │ 完成六条道路的施工招标、监理招标并进场施工，同步做好交通组织方案 │ 未完成（已逾期） │
│ 2    │ 2026-12-15 │ 完成人民路、民族大道路面改造                                     │ 未到期           │
└──────┴────────────┴──────────────────────────────────────────────────────────────────┴──────────────────┘
                                                        最近记录
┏━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
┃ 日期       ┃ 类型     ┃ 单位               ┃ 内容                                                                    ┃
┡━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩
│ 2026-10-08 │ 立项     │ —                  │ 立项：推进城区主干道综合整治，完成人民路、民族大道等六条道路的提升改造  │
│            │          │                    │ （领导批示）                                                            │
│ 2026-10-08 │ 交办     │ 市交通运输局       │ 交办牵头单位“市交通运输局”，办理时限 2026-10-21                         │
│ 2026-10-08 │ 交办     │ 市财政局           │ 交办配合单位“市财政局”，办理时限 2026-10-21                             │
│ 2026-10-08 │ 交办     │ 市住房和城乡建设局 │ 交办配合单位“市住房和城乡建设局”，办理时限 2026-10-21                   │
│ 2026-11-16 │ 设定节点 │ —                  │ 设定节点：2026-11-13 完成六条道路的施工招标、监理招标并进场施工，同步做 │
│            │          │                    │ 好交通组织方案                                                          │
│ 2026-11-16 │ 设定节点 │ —                  │ 设定节点：2026-12-15 完成人民路、民族大道路面改造                       │
│ 2026-11-16 │ 合并     │ —                  │ 并入事项 #3“规范公共资源交易”：同一批示重复立项                         │
└────────────┴──────────┴────────────────────┴─────────────────────────────────────────────────────────────────────────┘
""",
}

# at 60 columns the sub-tables keep every date whole and name the columns left out
SHOW_60_SUBTABLES = """\
                           子事项
┏━━━━━━┳━━━━━━━━┳━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━━━┓
┃ 编号 ┃ 亮灯   ┃ 事项             ┃ 牵头单位 ┃ 办理时限   ┃
┡━━━━━━╇━━━━━━━━╇━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━━━┩
│ 7    │ ● 红灯 │ 主干道人民路段提 │ 市住房和 │ 2026-10-15 │
│      │        │ 升改造，完成路   │ 城乡建设 │            │
│      │        │ 面、人行道和路灯 │ 局       │            │
│      │        │ 改造             │          │            │
└──────┴────────┴──────────────────┴──────────┴────────────┘
另有1列（状态）未显示，加宽终端或用 --format json
                        已并入的事项
┏━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━┓
┃ 编号 ┃ 事项           ┃ 牵头单位 ┃ 办理时限   ┃ 最近反馈 ┃
┡━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━┩
│ 3    │ 规范公共资源交 │ 市财政局 │ 2026-12-28 │ —        │
│      │ 易             │          │            │          │
└──────┴────────────────┴──────────┴────────────┴──────────┘
另有1列（配合单位）未显示，加宽终端或用 --format json
                            节点
┏━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━┓
┃ 序号 ┃ 日期       ┃ 节点内容          ┃ 完成情况         ┃
┡━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━┩
│ 1    │ 2026-11-13 │ 完成六条道路的施  │ 未完成（已逾期） │
│      │            │ 工招标、监理招标  │                  │
│      │            │ 并进场施工，同步  │                  │
│      │            │ 做好交通组织方案  │                  │
│ 2    │ 2026-12-15 │ 完成人民路、民族  │ 未到期           │
│      │            │ 大道路面改造      │                  │
└──────┴────────────┴───────────────────┴──────────────────┘
"""


@pytest.mark.parametrize("width", [80, 120])
def test_show_fits_the_terminal_with_sub_items_merged_items_and_milestones(planned, monkeypatch, width):
    monkeypatch.setenv("COLUMNS", str(width))
    lines = [line.rstrip() for line in ok(planned("show", "1")).splitlines()]
    assert lines == SHOW[width].splitlines()
    assert max(cell_len(line) for line in lines) <= width


def test_show_never_breaks_a_date_in_a_narrow_terminal(planned, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    lines = [line.rstrip() for line in ok(planned("show", "1")).splitlines()]
    start = lines.index(next(line for line in lines if line.strip() == "子事项"))
    end = lines.index(next(line for line in lines if line.strip() == "最近记录"))
    assert lines[start:end] == SHOW_60_SUBTABLES.splitlines()


OVERDUE = {
    80: """\
逾期清单（2026-11-16）：4项逾期，涉及3个单位
市住房和城乡建设局  逾期2项
┏━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━━━━┓
┃ 编号 ┃ 事项                  ┃ 角色 ┃ 办理时限   ┃ 逾期           ┃ 催办等级 ┃
┡━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━━━━┩
│    7 │ 主干道人民路段提升改  │ 牵头 │ 2026-10-15 │ 逾期22个工作日 │ 3        │
│      │ 造，完成路面、人行道  │      │            │                │ 挂牌督办 │
│      │ 和路灯改造            │      │            │                │          │
│    1 │ 推进城区主干道综合整  │ 配合 │ 2026-10-21 │ 逾期18个工作日 │ 3        │
│      │ 治，完成人民路、民族  │      │            │                │ 挂牌督办 │
│      │ 大道等六条道路的提升  │      │            │                │          │
│      │ 改造                  │      │            │                │          │
└──────┴───────────────────────┴──────┴────────────┴────────────────┴──────────┘
另有2列（最近催办、最近反馈）未显示，加宽终端或用 --format json
市交通运输局（联系人：张三 0771-5550101）  逾期1项
┏━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━━━━┓
┃ 编号 ┃ 事项                  ┃ 角色 ┃ 办理时限   ┃ 逾期           ┃ 催办等级 ┃
┡━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━━━━┩
│    1 │ 推进城区主干道综合整  │ 牵头 │ 2026-10-21 │ 逾期18个工作日 │ 3        │
│      │ 治，完成人民路、民族  │      │            │                │ 挂牌督办 │
│      │ 大道等六条道路的提升  │      │            │                │          │
│      │ 改造                  │      │            │                │          │
└──────┴───────────────────────┴──────┴────────────┴────────────────┴──────────┘
另有2列（最近催办、最近反馈）未显示，加宽终端或用 --format json
市财政局  逾期1项
┏━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━━━━┓
┃ 编号 ┃ 事项                  ┃ 角色 ┃ 办理时限   ┃ 逾期           ┃ 催办等级 ┃
┡━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━━━━┩
│    1 │ 推进城区主干道综合整  │ 配合 │ 2026-10-21 │ 逾期18个工作日 │ 3        │
│      │ 治，完成人民路、民族  │      │            │                │ 挂牌督办 │
│      │ 大道等六条道路的提升  │      │            │                │          │
│      │ 改造                  │      │            │                │          │
└──────┴───────────────────────┴──────┴────────────┴────────────────┴──────────┘
另有2列（最近催办、最近反馈）未显示，加宽终端或用 --format json
""",
    120: """\
逾期清单（2026-11-16）：4项逾期，涉及3个单位
市住房和城乡建设局  逾期2项
┏━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━┓
┃ 编号 ┃ 事项                               ┃ 角色 ┃ 办理时限   ┃ 逾期           ┃ 催办等级   ┃ 最近催办 ┃ 最近反馈 ┃
┡━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━┩
│    7 │ 主干道人民路段提升改造，完成路面、 │ 牵头 │ 2026-10-15 │ 逾期22个工作日 │ 3 挂牌督办 │ 未催办   │ 无       │
│      │ 人行道和路灯改造                   │      │            │                │            │          │          │
│    1 │ 推进城区主干道综合整治，完成人民   │ 配合 │ 2026-10-21 │ 逾期18个工作日 │ 3 挂牌督办 │ 未催办   │ 无       │
│      │ 路、民族大道等六条道路的提升改造   │      │            │                │            │          │          │
└──────┴────────────────────────────────────┴──────┴────────────┴────────────────┴────────────┴──────────┴──────────┘
市交通运输局（联系人：张三 0771-5550101）  逾期1项
┏━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━┓
┃ 编号 ┃ 事项                               ┃ 角色 ┃ 办理时限   ┃ 逾期           ┃ 催办等级   ┃ 最近催办 ┃ 最近反馈 ┃
┡━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━┩
│    1 │ 推进城区主干道综合整治，完成人民   │ 牵头 │ 2026-10-21 │ 逾期18个工作日 │ 3 挂牌督办 │ 未催办   │ 无       │
│      │ 路、民族大道等六条道路的提升改造   │      │            │                │            │          │          │
└──────┴────────────────────────────────────┴──────┴────────────┴────────────────┴────────────┴──────────┴──────────┘
市财政局  逾期1项
┏━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━┓
┃ 编号 ┃ 事项                               ┃ 角色 ┃ 办理时限   ┃ 逾期           ┃ 催办等级   ┃ 最近催办 ┃ 最近反馈 ┃
┡━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━┩
│    1 │ 推进城区主干道综合整治，完成人民   │ 配合 │ 2026-10-21 │ 逾期18个工作日 │ 3 挂牌督办 │ 未催办   │ 无       │
│      │ 路、民族大道等六条道路的提升改造   │      │            │                │            │          │          │
└──────┴────────────────────────────────────┴──────┴────────────┴────────────────┴────────────┴──────────┴──────────┘
""",
}


@pytest.mark.parametrize("width", [80, 120])
def test_overdue_fits_the_terminal(planned, monkeypatch, width):
    monkeypatch.setenv("COLUMNS", str(width))
    lines = [line.rstrip() for line in ok(planned("overdue")).splitlines()]
    assert lines == OVERDUE[width].splitlines()
    assert max(cell_len(line) for line in lines) <= width


def test_show_unit_table_at_80_columns(six, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    lines = [line.rstrip() for line in ok(six("show", "1")).splitlines()]
    start = lines.index(next(line for line in lines if line.strip() == "责任单位"))
    assert lines[start + 1:start + 13] == TABLE_SHOW_80.splitlines()


@pytest.mark.parametrize("argv", [[], ["create"], ["list"], ["assign"], ["extend"], ["edit"], ["merge"], ["report"]])
def test_help_at_80_columns_folds_chinese_instead_of_cutting_it(duban, monkeypatch, argv):
    import re

    monkeypatch.setenv("COLUMNS", "80")
    out = ok(duban(*argv, "--help"))
    assert max(cell_len(line) for line in out.splitlines()) <= 80
    cut = [line for line in out.splitlines() if re.search(r"…\s*│\s*$", line)]
    assert cut == []


def test_table_cells_break_as_chinese_text_is_set():
    """No line of a wrapped cell starts with a closing mark or ends with an opening one; numbers,
    codes and dates stay whole; a space-separated word that fits moves down whole; styles survive."""
    from rich.text import Text

    from duban.render_fit import wrap_cell

    # “、” would start the second line: “路” comes down with it
    assert wrap_cell("完成人民路、民族大道", 10) == "完成人民\n路、民族大\n道"
    # “（” would end the first line: it goes down with the number it opens; the number stays whole
    assert wrap_cell("12345热线工单（2611120341）：建设路", 16) == "12345热线工单\n（2611120341）：\n建设路"
    assert wrap_cell("截至2026-11-20已完成", 12) == "截至\n2026-11-20已\n完成"
    assert wrap_cell("3 挂牌督办", 8) == "3\n挂牌督办"
    # a run wider than the line is cut where it must be
    assert wrap_cell("ABCDEFGHIJKL", 5) == "ABCDE\nFGHIJ\nKL"
    styled = wrap_cell(Text("逾期三个工作日", style="red"), 6)
    assert styled.plain == "逾期三\n个工作\n日" and all(span.style == "red" for span in styled.spans)
    assert wrap_cell("短", 6) == "短"


@pytest.mark.parametrize("width", [80, 100, 120])
def test_reminders_log_and_units_fit_the_terminal(planned, monkeypatch, width):
    monkeypatch.setenv("COLUMNS", str(width))
    for args in (("remind", "--dry-run"), ("log", "1"), ("unit", "list")):
        lines = [line for line in ok(planned(*args)).splitlines() if line[:1] in "┏┃┡│└"]  # the tables
        assert max(cell_len(line) for line in lines) <= width, args
        # no line of a cell starts with a closing mark (the column borders are │)
        assert not [line for line in lines if any(part.strip()[:1] in "，。、；：）”" and part.strip()
                                                  for part in line.split("│")[1:-1])], args
    remind = ok(planned("remind", "--dry-run")).splitlines()
    notes = {80: ["另有2列（办理时限、原因）未显示，加宽终端或用 --format json"],
             100: ["另有1列（办理时限）未显示，加宽终端或用 --format json"], 120: []}
    assert [line for line in remind if line.startswith("另有")] == notes[width]


TABLE_COMMANDS = [("list",), ("overdue",), ("show", "1"), ("log", "1"), ("remind", "--dry-run"),
                  ("report", "stats", "--by", "unit"), ("report", "ranking"), ("report", "burden"),
                  ("rules", "show"), ("import", "--columns"), ("unit", "list")]


@pytest.mark.parametrize("width", [80, 100, 120])
def test_every_table_fits_the_terminal_and_breaks_lines_as_chinese_is_set(planned, monkeypatch, width):
    monkeypatch.setenv("COLUMNS", str(width))
    for args in TABLE_COMMANDS:
        lines = [line for line in ok(planned(*args)).splitlines() if line[:1] in "┏┃┡│└"]
        assert lines, args
        assert max(cell_len(line) for line in lines) <= width, args
        starts = [part.strip() for line in lines if line[:1] == "│" for part in line.split("│")[1:-1]]
        assert not [s for s in starts if s and s[0] in "，。、；：）”》"], args
