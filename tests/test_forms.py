"""Each unit's 反馈表 out and back (issue #15): duban form, duban collect, duban requests,
duban extend --grant / --deny, and show's pending request.

The CLI fixture ``units`` gives a ledger (today 2026-11-16) with 市交通运输局/交通局,
市财政局/财政局 and 市住房和城乡建设局/市住建局/住建局.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlite_utils import Database

GIVEN = ["事项编号", "事项", "角色", "办理时限", "剩余/逾期工作日", "上次反馈"]
FILLED = ["本期进展", "完成百分比", "是否办结", "办结情况", "申请延期至", "延期理由", "填报人", "联系电话"]


@pytest.fixture
def office(units):
    for args in (["道路整治", "--lead", "交通局", "--co", "财政局", "--due", "2026-12-31"],
                 ["资金拨付", "--lead", "财政局", "--due", "2026-11-30"],
                 ["老旧小区改造", "--lead", "住建局", "--due", "2026-12-15"]):
        assert units("create", *args[:1], "--source", "领导批示", *args[1:]).exit_code == 0
    assert units("feedback", "1", "已完成设计", "--unit", "交通局", "--percent", "30").exit_code == 0
    return units


def sent(duban, out: Path, *args: str, today: str = "2026-11-16") -> dict[str, Path]:
    result = duban("form", "--out", str(out), *args, today=today)
    assert result.exit_code == 0, result.output
    return {p.name.split("-反馈表-")[0]: p for p in out.glob("*.xlsx")}


def fill(path: Path, rows: dict[int, dict[str, object]]) -> Path:
    wb = load_workbook(path)
    ws = wb["反馈表"]
    header = [c.value for c in ws[3]]
    for r in range(4, ws.max_row + 1):
        for name, value in rows.get(ws.cell(r, 1).value, {}).items():
            ws.cell(r, header.index(name) + 1).value = value
    wb.save(path)
    return path


def events(kind: str | None = None) -> list[dict]:
    db = Database(os.environ["DUBAN_DB"])
    rows = [dict(r) for r in db.query("SELECT * FROM events ORDER BY id")]
    db.close()
    return [r for r in rows if kind is None or r["kind"] == kind]


def log(duban, item_id: int) -> list[dict]:
    return json.loads(duban("log", str(item_id), "--format", "json", today="2026-11-18").stdout)


# -- out -------------------------------------------------------------------------------------------


def test_one_form_per_unit_with_its_open_assignments(office, tmp_path):
    forms = sent(office, tmp_path / "out")
    assert sorted(forms) == ["市交通运输局", "市住房和城乡建设局", "市财政局"]
    assert forms["市财政局"].name == "市财政局-反馈表-2026-11-16.xlsx"
    wb = load_workbook(forms["市财政局"])
    ws = wb["反馈表"]
    assert [c.value for c in ws[3]] == GIVEN + FILLED
    rows = [[c.value for c in row][:6] for row in ws.iter_rows(min_row=4)]
    assert rows == [[1, "道路整治", "配合", dt.datetime(2026, 12, 31), 33, None],
                    [2, "资金拨付", "牵头", dt.datetime(2026, 11, 30), 10, None]]
    road = load_workbook(forms["市交通运输局"])["反馈表"]
    assert road.cell(4, 6).value == "2026-11-16：已完成设计（30%）"
    # locked without a password; the filled columns unlocked; validation; print set-up
    assert ws.protection.sheet and not ws.protection.password
    assert all(ws.cell(4, c).protection.locked for c in range(1, 7))
    assert not any(ws.cell(4, c).protection.locked for c in range(7, 15))
    rules = {str(dv.sqref): (dv.type, dv.formula1, dv.formula2) for dv in ws.data_validations.dataValidation}
    assert rules["H4:H5"] == ("whole", "0", "100")
    assert rules["I4:I5"] == ("list", '"是,否"', None)
    assert rules["K4:K5"][0] == "date"
    assert (ws.page_setup.orientation, ws.page_setup.paperSize, ws.print_title_rows) == ("landscape", 9, "$3:$3")
    meta = wb["表单信息"]
    assert meta.sheet_state == "hidden"
    assert [meta.cell(r, 1).value for r in range(1, 4)] == ["台账标识", "单位", "发出日期"]
    assert [meta.cell(r, 2).value for r in (2, 3)] == ["市财政局", "2026-11-16"]
    assert oct(forms["市财政局"].stat().st_mode & 0o777) == "0o600"


def test_each_form_sent_is_a_ledger_level_event(office, tmp_path):
    sent(office, tmp_path / "out", "--unit", "财政局")
    (event,) = events("form_sent")
    assert event["item_id"] is None and event["at"] == "2026-11-16"
    assert json.loads(event["data"]) == {"date": "2026-11-16", "file": "市财政局-反馈表-2026-11-16.xlsx"}
    db = Database(os.environ["DUBAN_DB"])
    assert db.execute("SELECT name FROM units WHERE id = ?", [event["unit_id"]]).fetchone()[0] == "市财政局"


def test_a_unit_without_open_items_gets_no_form(office, tmp_path):
    assert office("unit", "add", "市水利局").exit_code == 0
    result = office("form", "--unit", "市水利局", "--out", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr == "错误：单位“市水利局”没有在办的事项，不需要反馈表\n"
    assert events("form_sent") == [] and list(tmp_path.glob("*.xlsx")) == []


# -- back --------------------------------------------------------------------------------------------


def _filled_forms(duban, tmp_path) -> dict[str, Path]:
    forms = sent(duban, tmp_path / "out")
    fill(forms["市财政局"], {1: {"本期进展": "资金已落实", "完成百分比": 50, "填报人": "李四"},
                            2: {"申请延期至": dt.date(2026, 12, 21), "延期理由": "等待预算批复"}})
    fill(forms["市交通运输局"], {1: {"是否办结": "是", "办结情况": "整治完成，已验收"}})
    return forms


def _check_events(duban) -> None:
    feedback = [e for e in log(duban, 1) if e["kind"] == "feedback"][-1]
    assert (feedback["unit"], feedback["data"]["text"], feedback["data"]["percent"]) == ("市财政局", "资金已落实", 50)
    assert feedback["data"]["form"]["person"] == "李四"
    closed = [e for e in log(duban, 1) if e["kind"] == "closed"][-1]
    assert (closed["unit"], closed["data"]["result"]) == ("市交通运输局", "整治完成，已验收")
    requests = json.loads(duban("requests", "--format", "json", today="2026-11-18").stdout)
    assert requests == [{"id": 2, "unit": "市财政局", "to": "2026-12-21", "reason": "等待预算批复",
                         "requested_on": "2026-11-18"}]


def test_filled_forms_come_back_as_the_right_events(office, tmp_path):
    forms = _filled_forms(office, tmp_path)
    before = len(events())
    dry = office("collect", str(forms["市财政局"]), str(forms["市交通运输局"]), "--dry-run", today="2026-11-18")
    assert dry.exit_code == 0, dry.output
    assert len(events()) == before
    result = office("collect", str(forms["市财政局"]), str(forms["市交通运输局"]), today="2026-11-18")
    assert result.exit_code == 0, result.output
    assert "市财政局（市财政局-反馈表-2026-11-16.xlsx）：#1 进展反馈；#2 申请延期" in result.stdout
    assert ("已收取：2026-11-16 发出的反馈表，已交 2 个单位（市交通运输局、市财政局），"
            "未交 1 个单位（市住房和城乡建设局）") in result.stdout
    _check_events(office)
    assert [json.loads(e["data"])["date"] for e in events("form_returned")] == ["2026-11-16"] * 2
    # collecting the same file twice adds nothing, and is no error
    count = len(events())
    again = office("collect", str(forms["市财政局"]), today="2026-11-18")
    assert again.exit_code == 0, again.output
    assert "市财政局（市财政局-反馈表-2026-11-16.xlsx）：无新内容；已收过 2 行" in again.stdout
    assert len(events()) == count
    assert "待批延期申请：“市财政局”申请延期至 2026-12-21，理由：等待预算批复" in office("show", "2", today="2026-11-18").stdout


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("target", ["xlsx", "xls"])
def test_a_form_resaved_by_libreoffice_comes_back_the_same(office, tmp_path, target):
    forms = _filled_forms(office, tmp_path)
    resaved = tmp_path / "resaved"
    resaved.mkdir()
    for name in ("市财政局", "市交通运输局"):
        done = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                               "--convert-to", target, "--outdir", str(resaved), str(forms[name])],
                              capture_output=True, timeout=180)
        assert done.returncode == 0, done.stderr
    files = sorted(resaved.glob(f"*.{target}"))
    assert len(files) == 2
    result = office("collect", *map(str, files), today="2026-11-18")
    assert result.exit_code == 0, result.output
    _check_events(office)
    # the original, collected after its re-saved copy, adds nothing
    count = len(events())
    assert office("collect", str(forms["市财政局"]), today="2026-11-18").exit_code == 0
    assert len(events()) == count


def test_bad_rows_are_all_listed_and_nothing_is_written(office, tmp_path):
    forms = sent(office, tmp_path / "out")
    fill(forms["市财政局"], {1: {"完成百分比": 150}, 2: {"是否办结": "是", "申请延期至": dt.date(2026, 11, 20)}})
    before = len(events())
    result = office("collect", str(forms["市财政局"]), today="2026-11-18")
    assert result.exit_code == 1
    name = "市财政局-反馈表-2026-11-16.xlsx"
    assert result.stdout.splitlines()[:5] == [
        f"问题：{name} 第4行：完成百分比“150”应为 0 到 100 的整数",
        f"问题：{name} 第4行：填写了完成百分比，请同时填写本期进展",
        f"问题：{name} 第5行：是否办结为“是”，请写明办结情况",
        f"问题：{name} 第5行：申请延期，请写明延期理由",
        f"问题：{name} 第5行：同一行不能既办结又申请延期",
    ]
    assert "申请延期至 2026-11-20 应晚于现时限 2026-11-30" in result.stdout
    assert result.stderr == "错误：反馈表中有 6 处问题（未写入任何内容，请核对后重新收取）\n"
    assert len(events()) == before


def test_a_form_of_another_ledger_or_unit_is_refused_by_name(office, tmp_path, monkeypatch):
    forms = sent(office, tmp_path / "out")
    fill(forms["市财政局"], {2: {"本期进展": "资金已落实"}})
    # another ledger, with the same unit names, receives it
    monkeypatch.setenv("DUBAN_DB", str(tmp_path / "other.db"))
    assert office("init").exit_code == 0
    assert office("rules", "set", "office_name", "县督查室").exit_code == 0
    for name in ("市交通运输局", "市财政局"):
        assert office("unit", "add", name).exit_code == 0
    assert office("create", "别的事项", "--source", "领导批示", "--lead", "市财政局").exit_code == 0
    result = office("collect", str(forms["市财政局"]), today="2026-11-18")
    assert result.exit_code == 1
    assert result.stderr == ("错误：市财政局-反馈表-2026-11-16.xlsx 是另一个台账（督查室）发出的反馈表，"
                             "不是本台账的，不能收入\n")
    # a form whose unit is not (or no longer) this ledger's unit of those items
    wb = load_workbook(forms["市财政局"])
    wb["表单信息"]["B2"] = "市水利局"
    wb.save(tmp_path / "改过单位.xlsx")
    monkeypatch.setenv("DUBAN_DB", str(tmp_path / "test.db"))
    result = office("collect", str(tmp_path / "改过单位.xlsx"), today="2026-11-18")
    assert result.exit_code == 1
    assert result.stderr == "错误：改过单位.xlsx 是发给“市水利局”的反馈表，本台账没有这个单位\n"
    wb["表单信息"]["B2"] = "市住房和城乡建设局"
    wb.save(tmp_path / "别的单位.xlsx")
    result = office("collect", str(tmp_path / "别的单位.xlsx"), today="2026-11-18")
    assert result.exit_code == 1
    assert "问题：别的单位.xlsx 第5行：事项 #2 不是“市住房和城乡建设局”的事项" in result.stdout


def test_a_workbook_that_is_no_form_is_refused(office, tmp_path):
    assert office("export", str(tmp_path / "台账.xlsx")).exit_code == 0
    result = office("collect", str(tmp_path / "台账.xlsx"))
    assert result.exit_code == 1
    assert result.stderr == "错误：台账.xlsx 不是 duban 发出的反馈表（缺少“表单信息”或“反馈表”工作表）\n"


# -- requests and answers --------------------------------------------------------------------------------


def test_grant_moves_the_deadline_to_the_requested_date_and_deny_keeps_it(office, tmp_path):
    forms = sent(office, tmp_path / "out")
    fill(forms["市财政局"], {1: {"申请延期至": dt.date(2027, 1, 15), "延期理由": "配合资金分两批"},
                            2: {"申请延期至": dt.date(2026, 12, 21), "延期理由": "等待预算批复"}})
    assert office("collect", str(forms["市财政局"]), today="2026-11-18").exit_code == 0
    granted = office("extend", "2", "--grant", today="2026-11-19")
    assert granted.exit_code == 0, granted.output
    show = json.loads(office("show", "2", "--format", "json", today="2026-11-19").stdout)
    assert (show["due"], show["assignments"][0]["extensions"], show["extension_requests"]) == ("2026-12-21", 1, [])
    last = log(office, 2)[-1]
    assert (last["kind"], last["data"]["to"], last["data"]["reason"]) == ("extension_granted", "2026-12-21", "等待预算批复")
    denied = office("extend", "1", "--deny", "配合资金须与牵头同步", "--unit", "财政局", today="2026-11-19")
    assert denied.exit_code == 0, denied.output
    item = json.loads(office("show", "1", "--format", "json", today="2026-11-19").stdout)
    assert [a["due"] for a in item["assignments"]] == ["2026-12-31", "2026-12-31"]
    assert log(office, 1)[-1]["kind"] == "extension_denied"
    assert json.loads(office("requests", "--format", "json", today="2026-11-19").stdout) == []
    again = office("extend", "2", "--grant", today="2026-11-19")
    assert again.exit_code == 1
    assert again.stderr == "错误：事项 #2 没有待批的延期申请（查看全部：duban requests）\n"
    assert "未发现问题" in office("check", today="2026-11-19").stdout or "错误 0 项" in office("check", today="2026-11-19").stdout


@pytest.mark.parametrize("args, message", [
    (["--grant", "--deny", "x"], "--grant 与 --deny 只能给出一个"),
    (["--grant", "--to", "2026-12-31"], "答复延期申请（--grant/--deny）时不用 --to 和 --reason"),
    (["--to", "2026-12-31"], "延期须给出 --to 新时限 和 --reason 理由"),
])
def test_extend_options_are_checked(office, args, message):
    result = office("extend", "1", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_collect_json_and_the_requests_table(office, tmp_path):
    forms = _filled_forms(office, tmp_path)
    result = office("collect", str(forms["市财政局"]), "--dry-run", "--format", "json", today="2026-11-18")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["dry_run"], report["written"], report["problems"]) == (True, False, [])
    (form,) = report["forms"]
    assert (form["unit"], form["date"], form["new"], form["already"]) == ("市财政局", "2026-11-16", 2, 0)
    assert [(r["id"], r["actions"]) for r in form["rows"]] == [(1, ["feedback"]), (2, ["extension_requested"])]
    assert report["dates"] == [{"date": "2026-11-16", "returned": ["市财政局"],
                                "missing": ["市交通运输局", "市住房和城乡建设局"]}]
    assert office("requests", today="2026-11-18").stdout == "没有待批的延期申请\n"
    assert office("collect", str(forms["市财政局"]), today="2026-11-18").exit_code == 0
    table = office("requests", today="2026-11-18").stdout
    assert "待批的延期申请（1 项）" in table and "等待预算批复" in table and "2026-12-21" in table
