"""duban import on spreadsheets nobody here wrote (issue #15): each file in tests/data/realdata/
(copied from shared/realdata with its README, which says where each comes from and what a
careful person would take from it) gives exactly that, or a clear refusal naming the reason."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlite_utils import Database

REAL = Path(__file__).parent / "data" / "realdata"


def counts_of(report: dict) -> dict:
    return {k: v for k, v in report["counts"].items() if v}


def table_counts() -> dict[str, int]:
    db = Database(os.environ["DUBAN_DB"])
    found = {t: db[t].count for t in ("items", "events", "units", "import_keys")}
    db.close()
    return found


@pytest.fixture
def fresh(duban):
    assert duban("init").exit_code == 0
    return duban


def imported(duban, name: str, *args: str, today: str = "2024-07-24") -> dict:
    result = duban("import", str(REAL / name), *args, "--format", "json", today=today)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def items(duban, today: str = "2024-07-24") -> list[dict]:
    result = duban("list", "--all", "--sort", "id", "--format", "json", today=today)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def refused(duban, name: str, *args: str, today: str = "2024-07-24"):
    before = table_counts()
    result = duban("import", str(REAL / name), *args, today=today)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "内部错误" not in result.output
    assert table_counts() == before
    return result


def test_audit_ledger_35_problems_21_open_one_item_each(fresh):
    """35 distinct 问题编号, several sharing one 问题简述; 21 open (否): 21 items, the 14 finished skipped."""
    report = imported(fresh, "audit_A公司整改台账.xlsx", "--create-units")
    assert counts_of(report) == {"new": 21, "skip": 14, "notes": 9, "new_units": 1}
    assert report["new_units"] == ["A公司"]
    assert {r["reason"] for r in report["rows"] if r["action"] == "skip"} == {"状态为“是”，已办结事项不导入"}
    got = items(fresh)
    assert len(got) == 21
    assert {i["lead_unit"] for i in got} == {"A公司"}
    titles = [i["title"] for i in got]
    assert titles.count("未建立采购管理制度") > 1  # distinct problems with one 问题简述 are distinct items
    first = got[0]
    assert (first["title"], first["due"], first["leader"], first["source"]) == (
        "应收账款存在回收风险", "2024-08-01", "小于", "inspection_finding")
    # the sheet has no 文号: each item's 问题编号 is its 文号, so the 14 rows of one 问题简述 are told apart
    assert first["ref"] == "问题编号33"
    assert [(i["id"], i["ref"]) for i in got if i["title"] == "进度产值审核不严格"] == [
        (n, f"问题编号{k}") for n, k in zip(range(8, 22), (128, 130, 131, 132, 134, 135, 140, 141, 142, 146, 147, 148,
                                                          149, 150))]
    found = fresh("list", "--grep", "128", "--format", "json", today="2024-07-24")
    assert [(i["id"], i["title"]) for i in json.loads(found.stdout)] == [(8, "进度产值审核不严格")]
    # the same file again: nothing new, nothing duplicated
    again = imported(fresh, "audit_A公司整改台账.xlsx")
    assert counts_of(again) == {"unchanged": 21, "skip": 14, "notes": 9}
    assert len(items(fresh)) == 21


def test_group_ledger_after_one_company_adds_only_the_others(fresh):
    imported(fresh, "audit_A公司整改台账.xlsx", "--create-units")
    report = imported(fresh, "audit_集团整体审计整改台账.xlsx", "--create-units")
    assert counts_of(report) == {"new": 53, "unchanged": 21, "skip": 173, "notes": 31, "new_units": 7}
    got = items(fresh)
    assert len(got) == 74  # the README's 74 open rows
    assert len({i["lead_unit"] for i in got}) == 8  # one of the 9 companies has no open row


def test_group_ledger_alone_without_create_units_groups_the_unknown_units(fresh):
    result = refused(fresh, "audit_集团整体审计整改台账.xlsx")
    assert ("未找到单位“A公司”：第2、4、7–8、10–12、14、16–18、20–21、26–28、32–36行，共21行；"
            "可先用 duban unit add 添加该单位或其简称，或加 --create-units 自动新增") in result.stdout
    assert result.stdout.count("未找到单位“A公司”") == 1  # once, not 21 times
    assert result.stderr == ("错误：audit_集团整体审计整改台账.xlsx 中有 74 处问题，8 类原因"
                             "（未写入任何内容，请修改表格后重新导入）\n")


def test_main_import_template_of_another_system(fresh):
    report = imported(fresh, "lich_main-import.xlsx", "--create-units", today="2026-05-10")
    assert counts_of(report) == {"new": 1, "notes": 1, "new_units": 1}
    (item,) = items(fresh, today="2026-05-10")
    assert (item["title"], item["lead_unit"], item["due"], item["leader"]) == (
        "TruthTest-Main-Import", "综合处", "2026-06-30", "部门领导")


def test_todo_import_template_待办事项_计划完成时间_形成时间(fresh):
    report = imported(fresh, "lich_todo-import.xlsx", "--create-units", today="2026-05-10")
    assert counts_of(report) == {"new": 1, "notes": 1, "new_units": 1}
    (item,) = items(fresh, today="2026-05-10")
    assert (item["title"], item["lead_unit"], item["due"], item["assigned_on"]) == (
        "TruthTest-Todo-Import", "综合处", "2026-05-15", "2026-05-01")


def test_deliberately_wrong_file_is_refused_row_by_row(fresh):
    result = refused(fresh, "lich_priority-error.xlsx", today="2026-05-10")
    out = result.stdout
    assert "事项名称为空" in out
    assert "未找到单位“不存在部门”" in out
    assert "无法识别的时限“InvalidDate”" in out
    assert result.stderr == "错误：lich_priority-error.xlsx 中有 3 处问题（未写入任何内容，请修改表格后重新导入）\n"


@pytest.mark.parametrize("name", ["zhao_bnwcqk.xls", "zhao_bnwcqk.converted.xlsx"])
def test_jxls_template_imports_nothing_and_says_why(fresh, name):
    result = refused(fresh, name)
    assert result.stderr.startswith(f"错误：文件 {REAL / name} 中没有找到台账（“Sheet1”：是导出模板：表头下只有3行占位符"
                                    "（如 ${data.x}、<jx:forEach>），没有数据，已跳过；“Sheet2”：空工作表，已跳过；")
    assert table_counts()["units"] == 0  # ${data.ssbm} never became a unit


@pytest.mark.parametrize("name", ["zhao_dzjb_detail.xls", "zhao_dzjb_detail.converted.xlsx"])
def test_督办单_template_imports_nothing(fresh, name):
    result = refused(fresh, name, "--create-units")
    assert "“Sheet1”：是导出模板：表头下只有3行占位符" in result.stderr
    assert table_counts()["items"] == 0 and table_counts()["units"] == 0


@pytest.mark.parametrize("name", ["ncsduyer_责任单位相关统计表.xls", "ncsduyer_责任单位相关统计表.converted.xlsx"])
def test_statistics_sheet_is_not_a_ledger_and_the_message_shows_what_was_seen(fresh, name):
    result = refused(fresh, name)
    assert "前30行中未找到表头（需要“督办事项”“牵头单位”等列名；看到的列名：单位名称、交办事项总数、" in result.stderr
    assert "可用 --map 列名=督办事项、--map 列名=牵头单位 指定" in result.stderr


def test_header_merged_over_two_rows_never_reads_the_text_under_the_merge(fresh):
    result = refused(fresh, "hna_融资项目进度.xlsx")
    assert "看到的列名：序号、公司单位、操作主体机构名称、融资主体机构名称" in result.stderr
    # row 3 holds an older header under the merge (业态公司, 操作主体 …) that Excel never shows
    assert "业态公司" not in result.stderr and "操作主体、" not in result.stderr


def test_task_list_with_people_not_units_is_refused_and_its_dropdown_rows_counted(fresh):
    result = refused(fresh, "qinggeng_任务清单.xlsx")
    assert "表头中没有“牵头单位”列" in result.stdout
    assert "只有预填内容（如下拉选项）的行 28 行" in result.stdout
