"""Start-up stays light (issue #7): what ``duban`` imports before it does any work.

Each check runs duban in a fresh interpreter and looks at ``sys.modules`` afterwards.
Timings are not tested here; they live in bench/.
"""

from __future__ import annotations

import importlib
import json
import os
import pathlib
import subprocess
import sys

import pytest
import typer

from duban import cli

WATCHED = ["rich", "pydantic", "openpyxl", "docx", "sqlite_utils", "duban.reports", "duban.ledger", "duban.chase",
           "duban.commands.items", "duban.commands.report", "duban.commands.excel"]

RUN_MAIN = "from duban.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass"


def loaded(code: str, *argv: str, env: dict | None = None, watched: list[str] = WATCHED) -> set[str]:
    """Run ``code`` in a new interpreter with ``sys.argv[1:] = argv``; which ``watched`` modules it imported."""
    probe = (f"import sys\nsys.argv = ['duban', *{list(argv)!r}]\n{code}\n"
             f"sys.stderr.write('\\n' + __import__('json').dumps([m for m in {watched!r} if m in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def test_importing_the_cli_imports_no_command_and_nothing_heavy():
    assert loaded("import duban.cli") == set()


def test_help_loads_the_commands_but_not_their_work():
    assert loaded(RUN_MAIN, "--help") == {"rich", "duban.commands.items", "duban.commands.report",
                                          "duban.commands.excel"}


def test_a_command_loads_its_own_module_only(tmp_path):
    env = {**os.environ, "DUBAN_DB": str(tmp_path / "t.db"), "DUBAN_TODAY": "2026-11-16"}
    subprocess.run([sys.executable, "-m", "duban.cli", "init"], env=env, check=True, capture_output=True)
    listed = loaded(RUN_MAIN, "list", "--format", "json", env=env)
    assert "duban.commands.items" in listed and "duban.ledger" in listed
    # JSON needs no Rich; list needs no reports, Excel or Word (and Typer < 0.29 no Pydantic: pyproject.toml)
    # nor sqlite-utils: a ledger whose schema is current opens without it (it only migrates)
    assert listed & {"rich", "pydantic", "openpyxl", "docx", "duban.reports", "duban.commands.report",
                     "duban.commands.excel", "sqlite_utils"} == set()
    assert loaded(RUN_MAIN, "list", "--help", env=env) == {"rich", "duban.commands.items"}
    # the cron job's machine-readable overdue list needs no Rich either
    overdue = loaded(RUN_MAIN, "overdue", "--format", "json", env=env)
    assert "duban.chase" in overdue and overdue & {"rich", "sqlite_utils", "duban.reports", "openpyxl", "docx"} == set()


def test_import_reads_with_calamine_and_loads_nothing_else_heavy(tmp_path):
    """duban import (issue #15: as fast as a plain openpyxl read) reads with calamine: no openpyxl, and not
    xml.sax.saxutils either, whose import pulls in urllib.request and the email package (~40 ms)."""
    from openpyxl import Workbook

    env = {**os.environ, "DUBAN_DB": str(tmp_path / "t.db"), "DUBAN_TODAY": "2026-11-16"}
    for args in (["init"], ["unit", "add", "市交通运输局"]):
        subprocess.run([sys.executable, "-m", "duban.cli", *args], env=env, check=True, capture_output=True)
    book = Workbook()
    book.active.append(["督办事项", "牵头单位", "完成时限"])
    book.active.append(["事项甲", "市交通运输局", "2026年12月31日"])
    book.save(tmp_path / "台账.xlsx")
    watched = ["python_calamine", "openpyxl", "docx", "pydantic", "sqlite_utils", "duban.reports", "xml.sax",
               "urllib.request", "email"]
    assert loaded(RUN_MAIN, "import", str(tmp_path / "台账.xlsx"), "--format", "json", env=env,
                  watched=watched) == {"python_calamine"}


def test_a_bad_integer_is_reported_in_chinese(duban):
    result = duban("show", "abc")
    assert result.exit_code == 2
    assert "错误：ID 的取值“abc”无法识别，应为整数" in result.output


def test_the_command_table_lists_exactly_what_the_modules_define():
    defined = {}
    for module in dict.fromkeys(cli.COMMANDS.values()):
        holder = typer.Typer()
        importlib.import_module(f"duban.commands.{module}").register(holder)
        defined.update(dict.fromkeys(typer.main.get_group(holder).commands, module))
    assert defined == cli.COMMANDS


@pytest.mark.parametrize("name", list(cli.COMMANDS))
def test_each_command_builds_under_its_name(name):
    root = typer.main.get_command(cli.app)
    assert list(root.commands) == list(cli.COMMANDS)
    assert root.commands[name].name == name
