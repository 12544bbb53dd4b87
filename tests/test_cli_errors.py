"""Every invalid action through the CLI: one Chinese line on stderr, the right exit code,
and nothing written to the ledger (CLI.md "Exit codes"; DESIGN.md "One error boundary").

Each case runs against the same small ledger (built by ``items``) and compares every row
of every table in the ledger file before and after the failed command.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

TODAY = "2026-11-16"


# -- helpers ------------------------------------------------------------------------------


def snapshot(path: str | os.PathLike) -> dict[str, list[tuple]]:
    """Every row of every table of the ledger file: the whole stored state."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        conn.close()


def event_count(path: str | os.PathLike) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM events").fetchone()[0]
    finally:
        conn.close()


def db_path() -> str:
    return os.environ["DUBAN_DB"]


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def assert_one_error_line(result, code: int) -> str:
    """The error contract: exit ``code``, nothing on stdout, one line on stderr starting 错误：."""
    assert result.exit_code == code, result.output
    assert result.stdout == "", result.stdout
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("错误："), result.stderr
    return lines[0]


# -- the ledger every case starts from ---------------------------------------------------


@pytest.fixture
def items(units):
    """#1 open (lead 交通局 signed, co 财政局), #2 closed, #3 cancelled, #4 pending, #5 paused."""
    duban = units
    assert ok(duban("create", "城区主干道综合整治", "--source", "领导批示", "--lead", "交通局",
                    "--co", "财政局", "--due", "2026-12-31")).strip() == "1"
    ok(duban("sign", "1", "--unit", "交通局"))
    assert ok(duban("create", "老旧小区加装电梯", "--source", "会议议定", "--lead", "住建局")).strip() == "2"
    ok(duban("close", "2", "--result", "已全部完工"))
    assert ok(duban("create", "背街小巷亮化", "--source", "群众诉求", "--lead", "交通局")).strip() == "3"
    ok(duban("cancel", "3", "--reason", "已并入其他事项"))
    assert ok(duban("create", "农贸市场改造", "--source", "政府工作报告")).strip() == "4"
    assert ok(duban("create", "公交线路优化", "--source", "建议提案", "--lead", "交通局",
                    "--due", "2026-12-31")).strip() == "5"
    ok(duban("pause", "5", "--reason", "待市政府常务会研究"))
    return duban


# -- domain errors: exit 1, exact message, nothing written ---------------------------------

DOMAIN_ERRORS = [
    # (id, argv, exact stderr line)
    ("unknown-item-show", ["show", "99"], "错误：未找到事项 #99"),
    ("unknown-item-log", ["log", "99"], "错误：未找到事项 #99"),
    ("unknown-item-feedback", ["feedback", "99", "--unit", "交通局", "进展"], "错误：未找到事项 #99"),
    ("unknown-item-close", ["close", "99", "--result", "完成"], "错误：未找到事项 #99"),
    ("feedback-unit-not-on-item", ["feedback", "1", "--unit", "住建局", "已开工"],
     "错误：单位“市住房和城乡建设局”不是事项 #1 的责任单位"),
    ("sign-unit-not-on-item", ["sign", "1", "--unit", "市住建局"],
     "错误：单位“市住房和城乡建设局”不是事项 #1 的责任单位"),
    ("close-cancelled", ["close", "3", "--result", "完成"],
     "错误：事项 #3 状态为“已撤销”，没有可以办结的单位"),
    ("close-twice", ["close", "2", "--result", "完成"],
     "错误：事项 #2 状态为“已销号”，没有可以办结的单位"),
    ("close-pending", ["close", "4", "--result", "完成"], "错误：事项 #4 尚未交办，不能办结"),
    ("close-paused", ["close", "5", "--result", "完成"],
     "错误：事项 #5 状态为“暂缓”，没有可以办结的单位"),
    ("create-due-before-today", ["create", "新事项", "--source", "领导批示", "--lead", "交通局",
                                 "--due", "2026-11-13"],
     "错误：办理时限 2026-11-13 早于立项日期 2026-11-16"),
    ("assign-due-before-today", ["assign", "4", "--lead", "交通局", "--due", "2026-11-13"],
     "错误：办理时限 2026-11-13 早于交办日期 2026-11-16"),
    ("extend-empty-reason", ["extend", "1", "--to", "2026-12-31", "--reason", ""], "错误：延期理由不能为空"),
    ("extend-blank-reason", ["extend", "1", "--to", "2026-12-31", "--reason", "   "], "错误：延期理由不能为空"),
    ("extend-not-later", ["extend", "1", "--to", "2026-12-01", "--reason", "等待批复", "--unit", "交通局"],
     "错误：延期后的时限 2026-12-01 应晚于原时限 2026-12-31"),
    ("extend-closed", ["extend", "2", "--to", "2026-12-31", "--reason", "等待批复"],
     "错误：事项 #2 状态为“已销号”，没有可以延期的单位"),
    ("cancel-empty-reason", ["cancel", "1", "--reason", ""], "错误：撤销理由不能为空"),
    ("cancel-cancelled", ["cancel", "3", "--reason", "重复"],
     "错误：事项 #3 状态为“已撤销”，没有可以撤销的单位"),
    ("cancel-lead-unit-only", ["cancel", "1", "--reason", "调整", "--unit", "交通局"],
     "错误：牵头单位的交办不能单独撤销；如事项不再需要办理，请不带 --unit 撤销整个事项"),
    ("pause-empty-reason", ["pause", "1", "--reason", ""], "错误：暂缓理由不能为空"),
    ("pause-paused", ["pause", "5", "--reason", "再等等"],
     "错误：事项 #5 状态为“暂缓”，没有可以暂缓的单位"),
    ("resume-open", ["resume", "1"], "错误：事项 #1 状态为“办理中”，没有可以恢复办理的单位"),
    ("reopen-empty-reason", ["reopen", "2", "--reason", ""], "错误：重启理由不能为空"),
    ("reopen-open", ["reopen", "1", "--reason", "问题反弹"],
     "错误：事项 #1 状态为“办理中”，没有可以重启的单位"),
    ("reopen-due-before-today", ["reopen", "2", "--reason", "问题反弹", "--due", "2026-11-13"],
     "错误：重启后的时限 2026-11-13 早于今天 2026-11-16"),
    ("feedback-empty-text", ["feedback", "1", "--unit", "交通局", " "], "错误：反馈内容不能为空"),
    ("feedback-closed", ["feedback", "2", "--unit", "住建局", "还在跟踪"],
     "错误：事项 #2 在“市住房和城乡建设局”处的状态为“已销号”，不能反馈进展"),
    ("close-empty-result", ["close", "1", "--result", ""], "错误：办结情况不能为空"),
    ("duplicate-unit-name", ["unit", "add", "市财政局"], "错误：单位名称“市财政局”已存在（或已是某单位的简称）"),
    ("unit-name-is-alias", ["unit", "add", "财政局"], "错误：单位名称“财政局”已存在（或已是某单位的简称）"),
    ("duplicate-alias", ["unit", "add", "市财政局国库支付中心", "--alias", "住建局"], "错误：简称“住建局”已被使用"),
    ("empty-unit-name", ["unit", "add", " "], "错误：单位名称不能为空"),
    ("sign-twice", ["sign", "1", "--unit", "市交通运输局"], "错误：“市交通运输局”已于 2026-11-16 签收事项 #1"),
    ("review-not-awaiting-approve", ["review", "1", "--approve"],
     "错误：事项 #1 状态为“办理中”，没有可以审核的单位"),
    ("review-not-awaiting-return", ["review", "2", "--return", "材料不全"],
     "错误：事项 #2 状态为“已销号”，没有可以退回的单位"),
    ("revisit-open", ["revisit", "1", "--satisfaction", "满意"], "错误：事项 #1 尚未销号，不能回访"),
    ("escalate-closed", ["escalate", "2", "--kind", "督办单"],
     "错误：事项 #2 状态为“已销号”，不能督办升级"),
    ("assign-other-lead", ["assign", "1", "--lead", "财政局"],
     "错误：事项 #1 已由“市交通运输局”牵头，不能改为“市财政局”"),
    ("assign-co-already", ["assign", "1", "--co", "财政局"], "错误：单位“市财政局”已是事项 #1 的责任单位"),
    ("assign-closed", ["assign", "2", "--co", "财政局"], "错误：事项 #2 状态为“已销号”，不能交办"),
    ("assign-pending-without-lead", ["assign", "4", "--co", "财政局"],
     "错误：事项 #4 尚未交办，请用 --lead 指定牵头单位"),
    ("create-empty-title", ["create", "  ", "--source", "领导批示"], "错误：事项名称不能为空"),
    ("create-co-without-lead", ["create", "新事项", "--source", "领导批示", "--co", "财政局"],
     "错误：给出配合单位时须同时给出牵头单位（--lead）"),
    ("create-lead-also-co", ["create", "新事项", "--source", "领导批示", "--lead", "交通局", "--co", "市交通运输局"],
     "错误：单位“市交通运输局”重复出现在牵头/配合单位中"),
    ("create-unknown-co", ["create", "新事项", "--source", "领导批示", "--lead", "交通局", "--co", "不存在的局"],
     "错误：未找到单位“不存在的局”（用 duban unit add 添加）"),
    ("as-of-before-creation", ["show", "1", "--as-of", "2026-11-13"], "错误：事项 #1 在 2026-11-13 尚未立项"),
    ("rules-bad-value-bool", ["rules", "set", "review_required", "maybe"],
     "错误：设置项 review_required 应为 是/否（true/false），收到“maybe”"),
    ("rules-bad-value-range", ["rules", "set", "near_due_workdays", "100"],
     "错误：设置项 near_due_workdays 应在 0 到 60 之间，收到 100"),
    ("rules-bad-value-int", ["rules", "set", "near_due_workdays", "三"],
     "错误：设置项 near_due_workdays 应为整数，收到“三”"),
    ("rules-bad-choice", ["rules", "set", "light_preset", "五色"],
     "错误：设置项 light_preset 可选值为 三色、四色，收到“五色”"),
]


@pytest.mark.parametrize("argv, expected", [pytest.param(a, e, id=i) for i, a, e in DOMAIN_ERRORS])
def test_domain_error_is_one_chinese_line_and_writes_nothing(items, argv, expected):
    before = snapshot(db_path())
    result = items(*argv)
    assert assert_one_error_line(result, 1) == expected
    assert snapshot(db_path()) == before


def test_unknown_unit_suggests_close_names(items):
    before = snapshot(db_path())
    result = items("create", "新事项", "--source", "领导批示", "--lead", "交通")
    line = assert_one_error_line(result, 1)
    assert line.startswith("错误：未找到单位“交通”，是否是：")
    suggested = line.split("是否是：", 1)[1].split("、")
    assert "交通局" in suggested
    assert "市交通运输局" in suggested
    assert snapshot(db_path()) == before


@pytest.mark.parametrize("argv", [
    ["assign", "4", "--lead", "交通"],
    ["feedback", "1", "--unit", "交通", "进展"],
    ["list", "--unit", "交通"],
])
def test_unknown_unit_everywhere(items, argv):
    before = snapshot(db_path())
    line = assert_one_error_line(items(*argv), 1)
    assert line.startswith("错误：未找到单位“交通”，是否是：") and "交通局" in line
    assert snapshot(db_path()) == before


def test_unknown_setting_names_the_key_and_lists_the_valid_ones(items):
    before = snapshot(db_path())
    line = assert_one_error_line(items("rules", "set", "no_such_rule", "1"), 1)
    assert line.startswith("错误：没有名为“no_such_rule”的设置项，可用：")
    for key in ("near_due_workdays", "default_due_workdays", "review_required", "light_preset"):
        assert key in line
    assert snapshot(db_path()) == before


def test_backdated_action_is_refused(items):
    """A later event may not be recorded before an earlier one (the log stays in date order)."""
    before = snapshot(db_path())
    result = items("feedback", "1", "--unit", "交通局", "补录进展", today="2026-11-10")
    assert assert_one_error_line(result, 1) == (
        "错误：事项 #1 已有 2026-11-16 的记录，不能再记入更早日期 2026-11-10 的操作")
    assert snapshot(db_path()) == before


def test_failed_multi_unit_create_leaves_no_half_item(items):
    """A create whose second unit is unknown must not leave the item or the lead's 交办 behind."""
    count = event_count(db_path())
    listed = ok(items("list", "--all", "--format", "json"))
    result = items("create", "半截事项", "--source", "领导批示", "--lead", "交通局", "--co", "财政局",
                   "--co", "不存在的局")
    assert result.exit_code == 1
    assert event_count(db_path()) == count
    assert ok(items("list", "--all", "--format", "json")) == listed
    # and the next item still gets the next number
    assert ok(items("create", "下一个事项", "--source", "领导批示")).strip() == "6"


# -- usage errors: exit 2 --------------------------------------------------------------------

USAGE_ERRORS = [
    ("bad-date-create", ["create", "新事项", "--source", "领导批示", "--due", "2026-13-01"],
     "错误：--due 的取值“2026-13-01”不是存在的日期"),
    ("bad-date-feb30", ["assign", "4", "--lead", "交通局", "--due", "2026-02-30"],
     "错误：--due 的取值“2026-02-30”不是存在的日期"),
    ("bad-date-words", ["extend", "1", "--to", "下个月", "--reason", "等待"],
     "错误：--to 的取值“下个月”无法识别，应为日期，如 2026-11-30、2026年11月30日、12月底前、年底前、上半年"),
    ("bad-date-as-of", ["show", "1", "--as-of", "2026-11-31"],
     "错误：--as-of 的取值“2026-11-31”不是存在的日期"),
    ("bad-date-due-before", ["list", "--due-before", "明天"],
     "错误：--due-before 的取值“明天”无法识别，应为日期，如 2026-11-30、2026年11月30日、12月底前、年底前、上半年"),
    ("bad-date-today", ["--today", "2026-13-01", "list"],
     "错误：--today 的取值“2026-13-01”不是存在的日期"),
    ("ambiguous-due", ["create", "新事项", "--source", "领导批示", "--due", "12月前"],
     "错误：--due 的取值“12月前”有歧义（是该期之前，还是该期末之前？）：请写明日期，如“5月31日前”或“6月底前”"),
    ("long-term-extend", ["extend", "1", "--to", "长期", "--reason", "等待"],
     "错误：--to 的取值“长期”无法识别，应为日期，如 2026-11-30、2026年11月30日、12月底前、年底前、上半年"),
    ("long-term-reopen", ["reopen", "2", "--reason", "反弹", "--due", "长期"],
     "错误：--due 的取值“长期”无法识别，应为日期，如 2026-11-30、2026年11月30日、12月底前、年底前、上半年"),
    ("due-far-future", ["create", "长期事项", "--source", "领导批示", "--lead", "交通局", "--due", "9999-12-31"],
     "错误：--due 的取值“9999-12-31”年份 9999 超出范围（2000–2099）"),
    ("percent-150", ["feedback", "1", "--unit", "交通局", "进展顺利", "--percent", "150"],
     "错误：--percent 的取值“150”超出范围，应为 0 到 100 之间的整数（可带 %）"),
    ("percent-150-sign", ["feedback", "1", "--unit", "交通局", "进展顺利", "--percent", "150%"],
     "错误：--percent 的取值“150%”超出范围，应为 0 到 100 之间的整数（可带 %）"),
    ("percent-negative", ["feedback", "1", "--unit", "交通局", "进展顺利", "--percent", "-1"],
     "错误：--percent 的取值“-1”超出范围，应为 0 到 100 之间的整数（可带 %）"),
    ("percent-words", ["feedback", "1", "--unit", "交通局", "进展", "--percent", "六十"],
     "错误：--percent 的取值“六十”无法识别，应为 0 到 100 之间的整数（可带 %）"),
    ("within-zero", ["create", "新事项", "--source", "领导批示", "--lead", "交通局", "--within", "0"],
     "错误：--within 的取值“0”超出范围，应为 1 到 1000 之间的整数（工作日数）"),
    ("within-huge", ["create", "新事项", "--source", "领导批示", "--lead", "交通局", "--within", "3000000"],
     "错误：--within 的取值“3000000”超出范围，应为 1 到 1000 之间的整数（工作日数）"),
    ("within-words", ["create", "新事项", "--source", "领导批示", "--within", "三"],
     "错误：--within 的取值“三”无法识别，应为 1 到 1000 之间的整数（工作日数）"),
    ("within-zero-reopen", ["reopen", "2", "--reason", "反弹", "--within", "0"],
     "错误：--within 的取值“0”超出范围，应为 1 到 1000 之间的整数（工作日数）"),
    ("bad-sort", ["list", "--sort", "colour"], "错误：--sort 的取值“colour”无法识别，可选：light、due、id"),
    ("bad-class-filter", ["list", "--class", "紧急"], "错误：--class 的取值“紧急”无法识别，可选：速办、方案、重点、常规"),
    ("edit-nothing", ["edit", "1"],
     "错误：请至少给出一项要更正的内容：--title、--ref、--leader、--class、--source、--content、--standard"),
    ("edit-bad-class", ["edit", "1", "--class", "紧急"], "错误：--class 的取值“紧急”无法识别，可选：速办、方案、重点、常规"),
    ("due-and-within-create", ["create", "新事项", "--source", "领导批示", "--lead", "交通局",
                               "--due", "2026-12-31", "--within", "3"],
     "错误：--due 与 --within 只能给出一个"),
    ("due-and-within-assign", ["assign", "4", "--lead", "交通局", "--due", "2026-12-31", "--within", "3"],
     "错误：--due 与 --within 只能给出一个"),
    ("due-and-within-reopen", ["reopen", "2", "--reason", "反弹", "--due", "2026-12-31", "--within", "3"],
     "错误：--due 与 --within 只能给出一个"),
    ("bad-source", ["create", "新事项", "--source", "领导"],
     "错误：--source 的取值“领导”无法识别，可选：领导批示、会议议定、文件部署、政府工作报告、建议提案、"
     "群众诉求、督查发现问题、其他"),
    ("bad-source-filter", ["list", "--source", "小道消息"],
     "错误：--source 的取值“小道消息”无法识别，可选：领导批示、会议议定、文件部署、政府工作报告、建议提案、"
     "群众诉求、督查发现问题、其他"),
    ("bad-class", ["create", "新事项", "--source", "领导批示", "--class", "紧急"],
     "错误：--class 的取值“紧急”无法识别，可选：速办、方案、重点、常规"),
    ("bad-light", ["list", "--light", "purple"],
     "错误：--light 的取值“purple”无法识别，可选：红灯、黄灯、蓝灯、绿灯、不亮灯"),
    ("bad-status", ["list", "--status", "foo"],
     "错误：--status 的取值“foo”无法识别，可选：待交办、办理中、暂缓、待审核、已销号、已撤销、已合并"),
    ("bad-satisfaction", ["revisit", "2", "--satisfaction", "一般"],
     "错误：--satisfaction 的取值“一般”无法识别，可选：满意、基本满意、不满意"),
    ("bad-kind", ["escalate", "1", "--kind", "口头批评"],
     "错误：--kind 的取值“口头批评”无法识别，可选：督办单、挂牌督办、约谈、通报批评、通报表扬、问责"),
    ("review-neither", ["review", "1"], "错误：请在 --approve 与 --return 理由 中选择一个"),
    ("review-both", ["review", "1", "--approve", "--return", "材料不全"], "错误：请在 --approve 与 --return 理由 中选择一个"),
    ("show-csv", ["show", "1", "--format", "csv"], "错误：show 只支持 table 或 json 格式"),
]


@pytest.mark.parametrize("argv, expected", [pytest.param(a, e, id=i) for i, a, e in USAGE_ERRORS])
def test_usage_error_exits_2_with_chinese_message(items, argv, expected):
    before = snapshot(db_path())
    assert assert_one_error_line(items(*argv), 2) == expected
    assert snapshot(db_path()) == before


def test_bad_today_from_environment_is_a_usage_error(items):
    result = items("list", today="2026/02/30")
    assert assert_one_error_line(result, 2) == "错误：--today 的取值“2026/02/30”不是存在的日期"


def test_an_empty_today_is_a_usage_error_not_the_machine_clock(items, monkeypatch):
    """--today "" (or DUBAN_TODAY="") would otherwise record events on the machine's date."""
    before = snapshot(db_path())
    for argv in (["--today", "", "feedback", "1", "--unit", "交通局", "已开展整治"],
                 ["--today", "  ", "unit", "add", "市教育局"]):
        assert assert_one_error_line(items(*argv), 2) == (
            "错误：--today 的值为空，应为日期，如 2026-11-30（不给出 --today 即以系统日期为今天）")
    monkeypatch.setenv("DUBAN_TODAY", "")
    assert assert_one_error_line(items("feedback", "1", "--unit", "交通局", "已开展整治"), 2) == (
        "错误：环境变量 DUBAN_TODAY（即 --today）的值为空，应为日期，如 2026-11-30；要以系统日期为今天，请删除该变量")
    assert snapshot(db_path()) == before
    assert items("--today", "2026-11-17", "feedback", "1", "--unit", "交通局", "已开展整治").exit_code == 0


CLICK_USAGE_ERRORS = [
    ("missing-required-option", ["create", "新事项"], "--source", "错误：缺少选项：--source"),
    ("missing-argument", ["feedback", "1", "--unit", "交通局"], "进展情况", "错误：缺少参数：进展情况"),
    ("missing-title", ["create", "--source", "其他"], "事项名称", "错误：缺少参数：事项名称"),
    ("not-an-integer", ["show", "一"], "ID", "错误：ID 的取值“一”无法识别，应为整数"),
    ("unknown-option", ["list", "--colour", "red"], "--colour", "错误：没有选项 --colour（可能是：--source）"),
    ("unknown-command", ["bogus"], "bogus", "错误：没有命令“bogus”"),
    ("unknown-command-suggested", ["lsit"], "lsit", "错误：没有命令“lsit”，是否要用 list？"),
]


@pytest.mark.parametrize("argv, named, first_line", [
    pytest.param(a, n, f, id=i)
    for i, a, n, f in CLICK_USAGE_ERRORS])
def test_click_usage_errors_are_chinese(items, argv, named, first_line):
    """Errors Click finds itself (missing option, non-integer, unknown option/command): exit 2,
    a Chinese 错误： line naming the culprit first (a usage hint may follow), no English."""
    before = snapshot(db_path())
    result = items(*argv)
    assert result.exit_code == 2
    assert result.stdout == ""
    first = result.stderr.splitlines()[0]
    assert first.startswith("错误：") and named in first
    if first_line is not None:
        assert first == first_line
    for english in ("Missing option", "Invalid value", "No such option", "No such command", "Possible options",
                    "Error"):
        assert english not in result.stderr
    assert snapshot(db_path()) == before


def test_click_usage_errors_exit_2_without_traceback(items):
    """Whatever the wording, such usage errors exit 2 and write nothing."""
    before = snapshot(db_path())
    for _, argv, _, _ in CLICK_USAGE_ERRORS:
        result = items(*argv)
        assert result.exit_code == 2, argv
        assert "Traceback" not in result.output
    assert snapshot(db_path()) == before


# -- the ledger file itself ------------------------------------------------------------------

NEEDS_LEDGER = [
    ["list"],
    ["list", "--format", "json"],
    ["show", "1"],
    ["log", "1"],
    ["unit", "list"],
    ["unit", "add", "市财政局"],
    ["create", "新事项", "--source", "领导批示"],
    ["feedback", "1", "--unit", "交通局", "进展"],
    ["close", "1", "--result", "完成"],
    ["rules", "show"],
    ["rules", "set", "review_required", "true"],
    ["calendar", "show", "2026"],
]


@pytest.mark.parametrize("argv", NEEDS_LEDGER, ids=lambda a: "-".join(a[:2]))
def test_missing_ledger_says_run_init(duban, tmp_path, argv):
    missing = tmp_path / "没有这个台账.db"
    result = duban("--db", str(missing), *argv)
    line = assert_one_error_line(result, 1)
    assert line == f"错误：台账文件不存在：{missing}（请先运行 duban init，或用 --db 指定台账）"
    assert not missing.exists()


def test_missing_ledger_from_environment(duban, tmp_path, monkeypatch):
    missing = tmp_path / "nowhere.db"
    monkeypatch.setenv("DUBAN_DB", str(missing))
    line = assert_one_error_line(duban("list"), 1)
    assert "duban init" in line and str(missing) in line
    assert not missing.exists()


@pytest.mark.parametrize("content", [b"garbage\n", b"\x00\xff" * 2000, "这不是数据库".encode() * 300],
                         ids=["text", "binary", "cjk-text"])
@pytest.mark.parametrize("argv", [["list"], ["show", "1"], ["unit", "list"], ["init"],
                                  ["create", "新事项", "--source", "领导批示"]], ids=lambda a: a[0])
def test_garbage_file_is_refused_and_left_alone(duban, tmp_path, content, argv):
    bad = tmp_path / "garbage.db"
    bad.write_bytes(content)
    result = duban("--db", str(bad), *argv)
    line = assert_one_error_line(result, 1)
    assert line.startswith(f"错误：无法打开台账 {bad}：文件不是有效的 SQLite 数据库或已损坏")
    assert bad.read_bytes() == content  # never "repaired", never wiped, not even by init


def test_foreign_sqlite_file_is_not_a_ledger(duban, tmp_path):
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.execute("INSERT INTO contacts VALUES ('张三')")
    conn.commit()
    conn.close()
    before = snapshot(other)
    line = assert_one_error_line(duban("--db", str(other), "list"), 1)
    assert line == f"错误：{other} 不是 duban 台账（其中没有督办事项表）"
    line = assert_one_error_line(duban("--db", str(other), "init"), 1)
    assert line == f"错误：{other} 不是 duban 台账（其中没有督办事项表）"
    assert snapshot(other) == before


def test_directory_as_ledger(duban, tmp_path):
    line = assert_one_error_line(duban("--db", str(tmp_path), "list"), 1)
    assert line == f"错误：{tmp_path} 是目录，不是台账文件"


def test_init_in_missing_directory(duban, tmp_path):
    target = tmp_path / "no" / "such" / "dir" / "ledger.db"
    line = assert_one_error_line(duban("--db", str(target), "init"), 1)
    assert line == f"错误：目录不存在：{target.parent}"
    assert not Path(target.parent).exists()


# -- found while writing these tests ----------------------------------------------------------


def test_extend_before_today_does_not_misstate_the_assignment_date(units):
    assert ok(units("create", "城东片区改造", "--source", "会议议定", "--lead", "住建局", "--due", "2026-11-13",
                    today="2026-11-02")).strip() == "1"
    before = snapshot(db_path())
    line = assert_one_error_line(units("extend", "1", "--to", "2026-11-14", "--reason", "等待批复"), 1)
    assert "2026-11-14" in line
    assert "交办日期 2026-11-16" not in line  # 11-16 is today; the 交办 date is 2026-11-02
    assert snapshot(db_path()) == before


@pytest.mark.parametrize("command", ["show", "log"])
def test_huge_item_id_is_simply_not_found(items, command):
    huge = "99999999999999999999"
    line = assert_one_error_line(items(command, huge), 1)
    assert line == f"错误：未找到事项 #{huge}"


FAR_FUTURE = [
    ("extend-to-2099", ["extend", "1", "--to", "2099-12-31", "--reason", "长期坚持"]),
    ("extend-to-9999", ["extend", "1", "--to", "9999-12-31", "--reason", "长期坚持"]),
]


@pytest.mark.parametrize("argv", [pytest.param(a, id=i) for i, a in FAR_FUTURE])
def test_far_future_deadline_is_handled_in_chinese(items, argv):
    before = snapshot(db_path())
    result = items(*argv)
    assert "内部错误" not in result.stderr
    assert "Error" not in result.stderr
    assert result.exit_code in (0, 1, 2)
    if result.exit_code:
        assert_one_error_line(result, result.exit_code)
        assert snapshot(db_path()) == before
    # whatever happened, the ledger must still be listable afterwards
    after = items("list", "--all", "--format", "json")
    assert after.exit_code == 0, after.stderr
