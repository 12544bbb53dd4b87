"""Time whole duban commands on generated ledgers, each next to a baseline run the same way.

    python bench/run.py --sizes 10k 100k              # prints a markdown report
    python bench/run.py --sizes 10k 100k 1m --out /tmp/RESULTS.md

For every size the ledger ``<workdir>/<size>.db`` is generated first if it is missing
(bench/generate.py, same seed, so the same file every time). Each command runs as a fresh
subprocess — interpreter start, imports, opening the ledger, the query, the output — once
to warm the page cache and then ``--runs`` times; the table gives the median and the
minimum. Beside it, the baseline: a bare ``python -c`` sqlite3 process doing the equivalent
query and printing the same kind of output, and for the overdue queries, when Taskwarrior
(``task``) is installed, ``task +OVERDUE export`` over the same open items imported into a
throw-away TASKDATA.

To add a command, add one ``Bench(...)`` line to BENCHES. A command whose
``duban <command> --help`` fails (not built yet) is listed as skipped.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_import import make_sheet  # noqa: E402

# -- baselines: bare python + sqlite3, argv = [db, today, item id, scratch dir] ------------------

BASE_START = "import sqlite3, sys, json"

BASE_OVERDUE = r"""
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute(
    "SELECT i.id, i.title, u.name, a.role, a.due, a.last_feedback FROM assignments a"
    " JOIN items i ON i.id = a.item_id JOIN units u ON u.id = a.unit_id"
    " WHERE a.status = 'open' AND a.due < ? ORDER BY a.due, i.id", [sys.argv[2]]).fetchall()
keys = ("id", "title", "unit", "role", "due", "last_feedback")
sys.stdout.write(json.dumps([dict(zip(keys, r)) for r in rows], ensure_ascii=False, indent=2))
"""

BASE_SHOW = r"""
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
item = db.execute("SELECT * FROM items WHERE id = ?", [sys.argv[3]]).fetchone()
units = db.execute("SELECT a.*, u.name FROM assignments a JOIN units u ON u.id = a.unit_id WHERE a.item_id = ?",
                   [sys.argv[3]]).fetchall()
events = db.execute("SELECT at, kind, detail FROM events WHERE item_id = ? ORDER BY id", [sys.argv[3]]).fetchall()
sys.stdout.write(json.dumps({"item": item, "assignments": units, "events": events[-8:]}, ensure_ascii=False, indent=2))
"""

BASE_QUICK_CHECK = r"""
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("PRAGMA quick_check").fetchone()[0])
print(db.execute("SELECT count(*) FROM assignments WHERE status IN ('done', 'closed') AND result IS NULL").fetchone())
"""

BASE_STATS = r"""
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute(
    "SELECT u.name, count(*), sum(a.status = 'closed'), sum(a.status = 'closed' AND a.closed_on <= a.due),"
    " sum(a.status = 'open' AND a.due < ?) FROM assignments a JOIN units u ON u.id = a.unit_id"
    " WHERE a.role = 'lead' GROUP BY u.name", [sys.argv[2]]).fetchall()
keys = ("group", "total", "closed", "closed_on_time", "overdue")
sys.stdout.write(json.dumps([dict(zip(keys, r)) for r in rows], ensure_ascii=False, indent=2))
"""

BASE_XLSX_READ = r"""
import sys
from openpyxl import load_workbook
wb = load_workbook(sys.argv[4] + "/items.xlsx", read_only=True)
n = sum(1 for ws in wb.worksheets for _ in ws.iter_rows(values_only=True))
print(n)
"""


@dataclass(frozen=True)
class Bench:
    label: str
    args: tuple[str, ...]  # placeholders: {id} an overdue item, {scratch} a temp dir, {xlsx} bench_import's generated 10,000-row sheet
    baseline: str | None = None
    task: bool = False  # also time Taskwarrior's `task +OVERDUE export`
    fresh: bool = False  # the command writes: run it on a new empty ledger each time
    requires: tuple[str, ...] = ()  # other commands needed to prepare the run
    max_items: int | None = None  # run only on ledgers up to this size (the import file is the 10k ledger)


BENCHES = [
    Bench("duban --help", ("--help",), BASE_START),
    Bench("list --light red --format json", ("list", "--light", "red", "--format", "json"), BASE_OVERDUE, task=True),
    Bench("overdue --format json", ("overdue", "--format", "json"), BASE_OVERDUE, task=True),
    Bench("remind --dry-run --format json", ("remind", "--dry-run", "--format", "json"), BASE_OVERDUE),
    Bench("show ID", ("show", "{id}"), BASE_SHOW),
    Bench("check --quick", ("check", "--quick"), BASE_QUICK_CHECK),
    Bench("report stats --format json", ("report", "stats", "--format", "json"), BASE_STATS),
    Bench("report weekly", ("report", "weekly", "--out", "{scratch}"), BASE_STATS),
    Bench("import 10000 rows", ("import", "{xlsx}", "--create-units"), BASE_XLSX_READ, fresh=True,
          max_items=10_000),
]


# -- running ------------------------------------------------------------------------------------


def duban_command() -> list[str]:
    script = Path(sys.executable).with_name("duban")
    return [str(script)] if script.exists() else [sys.executable, "-m", "duban.cli"]


def timed(cmd: list[str], env: dict, runs: int, before=None) -> tuple[list[float], int]:
    """Wall times of ``runs`` runs after one warm-up run; the warm-up's exit code."""
    if before:
        before()
    code = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    times = []
    for _ in range(runs):
        if before:
            before()
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return times, code


def fresh_ledger(duban: list[str], path: Path, env: dict):
    """A function that replaces ``path`` with a new empty ledger (run before each timed write)."""

    def reset() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        subprocess.run(duban + ["init"], env=env, check=True, capture_output=True)

    return reset


def command_exists(duban: list[str], args: tuple[str, ...], env: dict) -> bool:
    path = []
    for a in args:  # the command words: up to the first option or placeholder
        if a.startswith("-") or "{" in a:
            break
        path.append(a)
    if not path:
        return True
    probe = subprocess.run(duban + path + ["--help"], env=env, capture_output=True)
    return probe.returncode == 0


def overdue_item(db: Path, today: str) -> int:
    conn = sqlite3.connect(db)
    try:
        row = conn.execute("SELECT max(item_id) FROM assignments WHERE status = 'open' AND due < ? AND role = 'lead'",
                           [today]).fetchone()
        return row[0] or 1
    finally:
        conn.close()


def taskwarrior_data(db: Path, scratch: Path, everything: bool) -> dict | None:
    """The ledger's items imported into a throw-away Taskwarrior; its environment, or None if not installed.

    Open items become pending tasks with their lead unit's deadline; with ``everything``
    closed items are added as completed tasks and cancelled ones as deleted, as a ledger
    kept in Taskwarrior for years would hold them.
    """
    if shutil.which("task") is None:
        return None
    home = scratch / ("task-all" if everything else "task-open")
    data = home / "data"
    data.mkdir(parents=True)
    rc = home / "taskrc"
    rc.write_text(f"data.location={data}\nconfirmation=off\nverbose=nothing\nhooks=off\n", encoding="utf-8")
    conn = sqlite3.connect(db)
    where = "" if everything else " WHERE i.status IN ('open', 'paused', 'done')"
    rows = conn.execute(
        "SELECT i.id, i.title, i.created, i.status, a.due, a.closed_on FROM items i"
        " JOIN assignments a ON a.item_id = i.id AND a.role = 'lead'" + where
    ).fetchall()
    conn.close()
    tasks = []
    for item_id, title, created, status, due, closed_on in rows:
        state = {"closed": "completed", "cancelled": "deleted"}.get(status, "pending")
        task = {"uuid": f"00000000-0000-4000-8000-{item_id:012d}", "description": title, "status": state,
                "entry": created.replace("-", "") + "T000000Z", "project": "duban"}
        if due:
            task["due"] = due.replace("-", "") + "T090000Z"
        if state != "pending":
            task["end"] = (closed_on or created).replace("-", "") + "T090000Z"
        tasks.append(task)
    file = home / "tasks.json"
    file.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    env = {**os.environ, "TASKRC": str(rc), "TASKDATA": str(data)}
    subprocess.run(["task", "import", str(file)], env=env, check=True, capture_output=True)
    subprocess.run(["task", "count"], env=env, capture_output=True)  # let it garbage-collect once
    return env


def ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1000:,.0f} ms"


def run_size(label: str, n: int, db: Path, args, duban: list[str], rows: list[dict]) -> None:
    today = args.today.isoformat()
    scratch = Path(tempfile.mkdtemp(prefix=f"duban-bench-{label}-"))
    env = {**os.environ, "DUBAN_DB": str(db), "DUBAN_TODAY": today, "NO_COLOR": "1", "COLUMNS": "160"}
    item_id = overdue_item(db, today)
    fill = {"id": str(item_id), "scratch": str(scratch), "xlsx": str(scratch / "items.xlsx")}
    task_envs: dict[str, dict] | None = None
    for bench in BENCHES:
        if args.only and not any(o in bench.label for o in args.only):
            continue
        if bench.max_items is not None and n > bench.max_items:
            continue
        missing = [b for b in (bench.args, *((r,) for r in bench.requires)) if not command_exists(duban, b, env)]
        if missing:
            rows.append({"command": bench.label, "size": label, "skipped": "尚未实现"})
            print(f"  {bench.label}: 跳过（尚未实现）", file=sys.stderr)
            continue
        if "{xlsx}" in " ".join(bench.args) and not (scratch / "items.xlsx").exists():
            make_sheet(scratch / "items.xlsx", 10_000)  # bench_import's messy 台账, the same file every time
        cmd_env, before = env, None
        if bench.fresh:
            cmd_env = {**env, "DUBAN_DB": str(scratch / "fresh.db")}
            before = fresh_ledger(duban, scratch / "fresh.db", cmd_env)
        cmd = duban + [a.format(**fill) for a in bench.args]
        times, code = timed(cmd, cmd_env, args.runs, before)
        row = {"command": bench.label, "size": label, "median": statistics.median(times), "min": min(times),
               "code": code}
        if bench.baseline:
            base, _ = timed([sys.executable, "-c", bench.baseline, str(db), today, str(item_id), str(scratch)], env,
                            args.runs)
            row["baseline"] = statistics.median(base)
        if bench.task:
            if task_envs is None:
                task_envs = {}
                for key, everything in (("task", False), ("task_all", True)):
                    tw_env = taskwarrior_data(db, scratch, everything)
                    if tw_env:
                        task_envs[key] = tw_env
            for key, tw_env in task_envs.items():
                tw, _ = timed(["task", "+OVERDUE", "export"], tw_env, args.runs)
                row[key] = statistics.median(tw)
        rows.append(row)
        print(f"  {bench.label}: {ms(row['median'])}（基线 {ms(row.get('baseline'))}）", file=sys.stderr)
    shutil.rmtree(scratch, ignore_errors=True)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")) / 2**20
        memory = f"{mem:.0f} GiB"
    except (OSError, StopIteration):
        memory = "?"
    task = "未安装"
    if shutil.which("task"):
        task = subprocess.run(["task", "--version"], capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True).stdout
    return (f"{cpu}，{os.cpu_count()} 核，内存 {memory}；{platform.system()} {platform.release()}；"
            f"Python {platform.python_version()}，SQLite {sqlite3.sqlite_version}；Taskwarrior {task}；"
            f"duban {commit.strip() or '?'}")


def markdown(rows: list[dict], generated: list[str], runs: int) -> str:
    out = [f"机器：{machine()}", "",
           f"每条命令先运行一次预热，再运行 {runs} 次，取中位数和最小值（整个进程：解释器启动、导入、打开台账、查询、输出）。"
           "基线为同样以子进程运行的 `python -c` + sqlite3 等价查询；倍数 = duban 中位数 / 基线中位数。", ""]
    if generated:
        out += ["生成台账：", "", *[f"- {g}" for g in generated], ""]
    out += ["Taskwarrior 两列：只导入在办事项（pending），以及全部事项（已销号为 completed、已撤销为 deleted）。", "",
            "| 命令 | 规模 | 中位数 | 最小 | 基线中位数 | 倍数 | Taskwarrior 在办 | Taskwarrior 全部 |",
            "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        if "skipped" in r:
            out.append(f"| `{r['command']}` | {r['size']} | {r['skipped']} | | | | | |")
            continue
        ratio = f"{r['median'] / r['baseline']:.1f}×" if r.get("baseline") else "—"
        failed = f"（退出码 {r['code']}）" if r["code"] not in (0,) else ""
        out.append(f"| `{r['command']}`{failed} | {r['size']} | {ms(r['median'])} | {ms(r['min'])} | "
                   f"{ms(r.get('baseline'))} | {ratio} | {ms(r.get('task'))} | {ms(r.get('task_all'))} |")
    return "\n".join(out) + "\n"


def size_arg(text: str) -> tuple[str, int]:
    t = text.strip().lower()
    mult = {"k": 1_000, "m": 1_000_000}.get(t[-1:], 1)
    n = int(float(t[:-1]) * mult) if mult > 1 else int(t)
    return text.lower(), n


def compile_sources() -> None:
    """Write duban's bytecode first, as any normal install has it.

    With an editable install, and with PYTHONDONTWRITEBYTECODE=1 (set on some machines, this one
    included), every timed process would otherwise compile duban's sources anew (~100 ms).
    """
    compileall.compile_dir(HERE.parent / "duban", quiet=1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="duban 性能测试：整条命令计时，并与基线对比")
    parser.add_argument("--sizes", nargs="+", type=size_arg, default=[size_arg("10k"), size_arg("100k")],
                        help="台账规模，如 10k 100k 1m")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "duban-bench",
                        help="生成的台账放在这里（默认 /tmp/duban-bench）")
    parser.add_argument("--runs", type=int, default=5, help="每条命令计时次数（默认 5，至少 5）")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2026, 11, 16), help="台账的“今天”")
    parser.add_argument("--only", nargs="*", help="只运行名称包含这些文字的命令")
    parser.add_argument("--backlog", action="store_true", help="用“大多逾期”的积压形态台账（generate.py --backlog）")
    parser.add_argument("--out", type=Path, help="把 markdown 结果写入该文件（如 bench/RESULTS.md）")
    args = parser.parse_args(argv)
    args.runs = max(5, args.runs)
    args.workdir.mkdir(parents=True, exist_ok=True)
    compile_sources()
    duban = duban_command()
    rows: list[dict] = []
    generated: list[str] = []
    for label, n in args.sizes:
        label = f"{label}-backlog" if args.backlog else label
        db = args.workdir / f"{label}.db"
        if not db.exists():
            from generate import generate

            print(f"生成 {db}（{n:,} 项）……", file=sys.stderr)
            t0 = time.perf_counter()
            counts = generate(db, n, seed=7, today=args.today, quiet=True, backlog=args.backlog)
            seconds = time.perf_counter() - t0
            generated.append(f"{label}：{counts['items']:,} 项、{counts['events']:,} 条记录，"
                             f"{db.stat().st_size / 2**20:,.0f} MiB，生成用时 {seconds:.1f} s"
                             f"（其中建立亮灯日程 {counts['schedules_seconds']:.1f} s）")
        print(f"{label}：{db}", file=sys.stderr)
        run_size(label, n, db, args, duban, rows)
    text = markdown(rows, generated, args.runs)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
