"""The documentation runs (issue #17): every ``duban …`` line in a ```bash block of README.md and
docs/*.md is run, in order, against a copy of the example ledger (examples/build_example.sh).

Each document gets its own working directory holding ``examples/out/示例台账.db`` (the copy) and
``examples/待导入台账.xlsx``, so a line such as ``export DUBAN_DB=examples/out/示例台账.db`` means
what it says; ``export DUBAN_DB=台账.db`` starts a fresh ledger there, as a reader's would.
The shell a document may use is small and checked: ``export NAME=value``, ``NAME=value duban …``,
``id=$(duban …)`` then ``$id``, ``mkdir -p DIR``. A line that is none of these must be listed in
:data:`NOT_RUN` with the reason. A file the commands read is written from the fenced block after
``<!-- file: NAME -->``. A command whose comment says ``退出码 N`` must exit with N; every other
command must exit 0; none may print a traceback or 内部错误.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from duban.cli import app
from example_ledger import TODAY, copy_example

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
EXAMPLE_DB = "examples/out/示例台账.db"

# Lines in ```bash blocks that this test does not run, each with the reason.
NOT_RUN = {
    "python3 -m venv": "安装 duban、运行示例或测试：要联网安装依赖，CI（.ci/run）运行它们",
    ".venv/bin/pip install": "安装",
    ".venv/bin/python -m pytest": "运行测试本身",
    "bash .ci/run": "CI 脚本",
    "echo 'eval \"$(_DUBAN_COMPLETE=": "写入 shell 启动文件（补全由 tests/test_clerk.py 检查）",
}

BLOCK = re.compile(r"^([ \t]*)```(\S*)[ \t]*\n(.*?)^[ \t]*```[ \t]*$", re.M | re.S)
FILE_MARK = re.compile(r"<!-- file: (\S+) -->\s*\n[ \t]*```\S*[ \t]*\n(.*?)^[ \t]*```", re.M | re.S)
CAPTURE = re.compile(r"^([A-Za-z_]\w*)=\$\((duban .*)\)$")
ASSIGN = re.compile(r"^[A-Za-z_]\w*=")


def split_comment(line: str) -> tuple[str, str]:
    """The command and its comment: an unquoted ``#`` at the start of a word begins the comment."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip(), line[i + 1:].strip()
    return line.rstrip(), ""


def bash_lines(text: str) -> list[str]:
    """The logical lines of every ```bash block, continuation lines joined, blank lines dropped."""
    lines: list[str] = []
    for indent, lang, body in BLOCK.findall(text):
        if lang != "bash":
            continue
        pending = ""
        for raw in body.splitlines():
            raw = raw[len(indent):] if raw.startswith(indent) else raw
            command, _ = split_comment(raw)
            if command.endswith("\\"):
                pending += command[:-1] + " "
                continue
            whole = pending + raw.strip()
            pending = ""
            if split_comment(whole)[0].strip():
                lines.append(whole)
        assert not pending, f"续行没有结束：{pending}"
    return lines


def words(command: str, variables: dict[str, str]) -> list[str]:
    def expand(m: re.Match) -> str:
        name = m.group(1) or m.group(2)
        assert name in variables, f"未定义的变量 ${name}：{command}"
        return variables[name]

    return shlex.split(re.sub(r"\$\{(\w+)\}|\$(\w+)", expand, command))


def expected_code(comment: str) -> int:
    found = re.search(r"退出码\s*(\d)", comment)
    return int(found.group(1)) if found else 0


class Reader:
    """Runs one document's lines the way a reader at a shell would, in ``cwd``."""

    def __init__(self, cwd: Path):
        self.cwd = cwd
        self.env = {"DUBAN_DB": EXAMPLE_DB, "DUBAN_TODAY": TODAY}
        self.variables: dict[str, str] = {}
        self.runner = CliRunner()
        self.ran: list[str] = []
        self.results: dict[str, object] = {}

    def line(self, line: str) -> None:
        command, comment = split_comment(line)
        if command.startswith("export "):
            for word in words(command[len("export "):], self.variables):
                name, _, value = word.partition("=")
                self.env[name] = value
            return
        if command.startswith("mkdir -p "):
            for word in words(command[len("mkdir -p "):], self.variables):
                (self.cwd / word).mkdir(parents=True, exist_ok=True)
            return
        captured = CAPTURE.match(command)
        if captured:
            self.variables[captured.group(1)] = self.duban(captured.group(2), comment).stdout.strip()
            return
        self.duban(command, comment)

    def duban(self, command: str, comment: str):
        args = words(command, self.variables)
        env = dict(self.env)
        while args and ASSIGN.match(args[0]):
            name, _, value = args.pop(0).partition("=")
            env[name] = value
        assert args and args[0] == "duban", f"这一行既不是 duban 命令，也不在 NOT_RUN 中：{command}"
        result = self.runner.invoke(app, args[1:], env=env)
        self.ran.append(command)
        self.results[command] = result
        where = f"\n$ {command}\n{result.output}"
        assert "Traceback" not in result.output and "内部错误" not in result.output, where
        if result.exception is not None:
            assert isinstance(result.exception, SystemExit), where + repr(result.exception)
        assert result.exit_code == expected_code(comment), f"退出码 {result.exit_code}" + where
        return result


def runnable(path: Path) -> list[str]:
    return [ln for ln in bash_lines(path.read_text(encoding="utf-8"))
            if not any(ln.startswith(prefix) for prefix in NOT_RUN)]


def reader_in(tmp_path: Path, doc: Path, monkeypatch) -> Reader:
    copy_example(tmp_path / EXAMPLE_DB)
    shutil.copyfile(ROOT / "examples" / "待导入台账.xlsx", tmp_path / "examples" / "待导入台账.xlsx")
    for name, body in FILE_MARK.findall(doc.read_text(encoding="utf-8")):
        (tmp_path / name).write_text(textwrap.dedent(body), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "120")
    for name in ("DUBAN_DB", "DUBAN_TODAY"):
        monkeypatch.delenv(name, raising=False)
    return Reader(tmp_path)


@pytest.mark.parametrize("doc", DOCS, ids=[d.name for d in DOCS])
def test_every_command_in_the_document_runs_on_the_example_ledger(doc, tmp_path, monkeypatch):
    lines = runnable(doc)
    assert lines, f"{doc.name} 中没有可运行的 duban 命令"
    reader = reader_in(tmp_path, doc, monkeypatch)
    for line in lines:
        reader.line(line)
    assert reader.ran


def test_the_life_of_an_item_prints_what_its_comments_say(tmp_path, monkeypatch):
    doc = ROOT / "docs" / "命令.md"
    reader = reader_in(tmp_path, doc, monkeypatch)
    for line in runnable(doc):
        reader.line(line)
    out = {cmd: res.stdout.strip() for cmd, res in reader.results.items()}
    creates = [v for k, v in out.items() if k.startswith("duban create") and "--parent" not in k]
    assert creates[:3] == ["1", "2", "3"]
    close = next(v for k, v in out.items() if k.startswith("duban --today 2026-11-25 close 1"))
    assert close == "事项 #1：已办结，待审核"
    listed = reader.duban("duban --db 台账.db --today 2026-12-04 list --format json", "")
    rows = {row["id"]: row for row in json.loads(listed.stdout)}
    assert sorted(rows) == [1, 2]
    assert (rows[1]["light"], rows[1]["due"]) == ("green", "2026-12-11")
    # #2 was paused 11-05 to 11-12: its deadline moved 5 working days later (issue #13), to 12-07
    assert (rows[2]["light"], rows[2]["due"], rows[2]["workdays_left"]) == ("yellow", "2026-12-07", 1)


def test_the_daily_commands_do_what_their_comments_say(tmp_path, monkeypatch):
    doc = ROOT / "docs" / "定时任务.md"
    reader = reader_in(tmp_path, doc, monkeypatch)
    for line in runnable(doc):
        reader.line(line)
    again = reader.duban("duban remind --out 每日/2026-11-20/通知", "")
    assert "没有新的需要催办的事项" in again.output
    first = sorted(p.name for p in (tmp_path / "每日" / "2026-11-20" / "通知").iterdir())
    assert first and first == sorted(p.name for p in (tmp_path / "重印").iterdir())  # same notices, same 文号
    assert (tmp_path / "逾期清单.csv").read_text(encoding="utf-8").count("\n") > 1


def test_the_docs_run_over_a_hundred_commands():
    commands = [ln for doc in DOCS for ln in runnable(doc) if "duban " in split_comment(ln)[0]]
    assert len(commands) >= 100, len(commands)


def test_the_readme_is_the_front_door():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.encode("utf-8")) < 12 * 1024
    quickstart = bash_lines(readme.split("## 快速开始 Quickstart", 1)[1].split("\n## ", 1)[0])
    assert quickstart == [
        "python3 -m venv .venv && .venv/bin/pip install -q -e . && bash examples/run.sh",
        "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && .venv/bin/python -m pytest -q",
    ]
    for doc in DOCS[1:]:
        assert f"](docs/{doc.name})" in readme, f"README 没有链接 docs/{doc.name}"


def test_links_between_the_documents_resolve():
    for doc in DOCS:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", doc.read_text(encoding="utf-8")):
            assert (doc.parent / target).exists(), f"{doc.name}：链接 {target} 不存在"


def test_a_line_the_test_cannot_run_is_refused(tmp_path, monkeypatch):
    reader = reader_in(tmp_path, ROOT / "README.md", monkeypatch)
    with pytest.raises(AssertionError, match="NOT_RUN"):
        reader.line("rm -rf 备份")
    with pytest.raises(AssertionError, match="退出码 1"):
        reader.line("duban show 999")
    reader.line("duban show 999   # 没有这个事项：退出码 1")
