"""Help text: every command explains itself in Chinese with an example (DESIGN.md
"Docstrings with an example on every command"; after sqlite-utils tests/test_docs.py).

The walk covers whatever commands exist, so a new command without an example fails here.
"""

from __future__ import annotations

import pytest
import typer

from duban.cli import app

ROOT = typer.main.get_command(app)


def _is_group(cmd) -> bool:
    # Typer >= 0.26 ships its own click; a group is whatever has sub-commands.
    return hasattr(cmd, "commands")


def _walk(cmd, path: tuple[str, ...] = ()):
    yield path, cmd
    if _is_group(cmd):
        for name in sorted(cmd.commands):
            yield from _walk(cmd.commands[name], path + (name,))


ALL = list(_walk(ROOT))
LEAVES = [(p, c) for p, c in ALL if not _is_group(c)]
GROUPS = [(p, c) for p, c in ALL if _is_group(c)]



def _name(path: tuple[str, ...]) -> str:
    return " ".join(("duban",) + path)


def _help_text(cmd) -> str:
    return "\n".join(filter(None, [cmd.help, cmd.epilog]))


def test_the_walk_finds_the_documented_commands():
    names = {" ".join(p) for p, _ in LEAVES}
    documented = {"init", "unit add", "unit list", "create", "assign", "sign", "feedback", "extend", "close",
                  "review", "pause", "resume", "cancel", "reopen", "revisit", "escalate", "list", "show", "log",
                  "rules show", "rules set", "calendar show", "calendar add-holiday", "calendar add-workday",
                  "calendar import"}
    assert documented <= names, documented - names


@pytest.mark.parametrize("path, cmd", LEAVES, ids=[_name(p) for p, _ in LEAVES])
def test_every_command_has_chinese_help_with_an_example(path, cmd):
    text = _help_text(cmd)
    assert text.strip(), f"{_name(path)} has no help"
    assert "示例" in text, f"{_name(path)} has no 示例 in its help"
    example = text.split("示例", 1)[1]
    assert "duban" in example, f"{_name(path)}: the example does not show a duban command line"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text.split("示例", 1)[0]), f"{_name(path)}: help is not Chinese"


@pytest.mark.parametrize("path, cmd", LEAVES, ids=[_name(p) for p, _ in LEAVES])
def test_every_command_describes_its_parameters(path, cmd):
    for param in cmd.params:
        if param.name == "help":
            continue
        assert getattr(param, "help", None), f"{_name(path)}: parameter {param.name} has no help"


@pytest.mark.parametrize("path, cmd", GROUPS, ids=[_name(p) for p, _ in GROUPS])
def test_every_group_has_an_example(path, cmd):
    assert "示例" in _help_text(cmd)


@pytest.mark.parametrize("path", [p for p, _ in ALL], ids=[_name(p) for p, _ in ALL])
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_runs_for_every_command(duban, path, flag, tmp_path, monkeypatch):
    # help must work before any ledger exists and must not create one
    missing = tmp_path / "never.db"
    monkeypatch.setenv("DUBAN_DB", str(missing))
    result = duban(*path, flag)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert result.stdout.strip()
    assert not missing.exists()
    cmd = dict(ALL)[path]
    if not _is_group(cmd):
        assert "示例" in result.stdout
        assert result.stdout.count("duban") >= 1


def test_root_help_mentions_the_domain(duban):
    result = duban("--help")
    assert result.exit_code == 0
    assert "督办" in result.stdout
    for name in ("create", "list", "show", "close", "unit", "rules"):
        assert name in result.stdout


def test_no_arguments_shows_help(duban):
    result = duban()
    assert "督办" in result.output
    assert result.exit_code in (0, 2)  # click's no_args_is_help convention
    assert "Traceback" not in result.output
