"""Issue #16's performance targets, timed as whole processes against baselines in the same run.

    python bench/bench_lights.py                              # everything: 20k, 100k, 1m; both shapes
    python bench/bench_lights.py --sizes 20k 100k --runs 5    # without the million
    python bench/bench_lights.py --only list overdue --sizes 1m --shapes normal
    python bench/bench_lights.py --generate-only --sizes 1m   # just make (and time) the ledgers

Ledgers come from bench/generate.py and are cached in ``--workdir`` (default /tmp/duban-bench-lights):
``<size>.db`` (the normal shape: most items closed, few overdue) and ``<size>-backlog.db`` (an imported
backlog: most open items past their deadline), reused when present; beside each, ``<name>.json`` records
how long it took to make (rows, then the schedules the first open builds). See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

TODAY = dt.date(2026, 11, 16)
SHAPES = ("normal", "backlog")


def size_arg(text: str) -> tuple[str, int]:
    t = text.strip().lower()
    mult = {"k": 1_000, "m": 1_000_000}.get(t[-1:], 1)
    return t, (int(float(t[:-1]) * mult) if mult > 1 else int(t))


def ledger_name(size: str, shape: str) -> str:
    return size if shape == "normal" else f"{size}-{shape}"


def ensure_ledger(workdir: Path, size: str, n: int, shape: str, today: dt.date = TODAY) -> tuple[Path, dict]:
    """The cached ledger of ``n`` items in ``shape``, generated (and timed) if missing; its making record."""
    from generate import generate

    name = ledger_name(size, shape)
    db, record = workdir / f"{name}.db", workdir / f"{name}.json"
    if db.exists() and record.exists():
        return db, json.loads(record.read_text(encoding="utf-8"))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    print(f"生成 {db}（{n:,} 项，{shape}）……", file=sys.stderr)
    before = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    counts = generate(db, n, seed=7, today=today, quiet=True, backlog=shape == "backlog")
    seconds = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_SELF)
    made = {**counts, "seconds": seconds, "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            "mib": db.stat().st_size / 2**20, "shape": shape, "size": size}
    record.write_text(json.dumps(made, ensure_ascii=False), encoding="utf-8")
    print(f"  {name}: {seconds:.1f} s（其中亮灯日程 {counts['schedules_seconds']:.1f} s），{made['mib']:,.0f} MiB",
          file=sys.stderr)
    return db, made


from lights_baselines import base_list, base_overdue, base_remind, red_unit  # noqa: E402


# -- timing: whole processes, A and B in turn ------------------------------------------------------------

def run_once(cmd: list[str], env: dict, cwd: str | None = None) -> tuple[float, float, int]:
    """One whole process: wall seconds (start to reaped), CPU seconds (its user + system, and its waited-for
    children's), exit code. Its output goes to /dev/null (both sides alike)."""
    import subprocess

    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, proc.returncode


def median(values: list[float]) -> float | None:
    import statistics

    return statistics.median(values) if values else None


def loadavg() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


SLOW_RUNS = 3  # --slow-runs


def paired(a: list[str], b: list[str] | None, env: dict, runs: int, prepare_a=None, prepare_b=None,
           slow: float = 10.0) -> dict:
    """A (and B) ``runs`` times each after one warm-up of each, in turn B A B A …; medians, and the median of
    the ratios A/B taken pair by pair (a drift of the machine's speed falls on both of a pair). A command
    whose warm-up takes longer than ``slow`` seconds runs SLOW_RUNS times (its warm-up is then the first run)."""
    def one(cmd, prepare):
        if prepare:
            prepare()
        return run_once(cmd, env)

    load0 = loadavg()
    warm_b = one(b, prepare_b) if b else None
    warm_a = one(a, prepare_a)
    n = runs
    keep_warm = False
    if warm_a[0] > slow or (warm_b and warm_b[0] > slow):
        n, keep_warm = min(runs, SLOW_RUNS), True
    ra, rb = ([warm_a], [warm_b] if b else []) if keep_warm else ([], [])
    while len(ra) < n:
        if b:
            rb.append(one(b, prepare_b))
        ra.append(one(a, prepare_a))
    out = {"runs": len(ra), "wall": [r[0] for r in ra], "cpu": [r[1] for r in ra], "code": warm_a[2],
           "load": (load0 + loadavg()) / 2}
    if b:
        out.update(base_wall=[r[0] for r in rb], base_cpu=[r[1] for r in rb], base_code=warm_b[2],
                   ratio=median([x[0] / y[0] for x, y in zip(ra, rb)]),
                   cpu_ratio=median([x[1] / y[1] for x, y in zip(ra, rb) if y[1] > 0]))
    return out


# -- what is measured ---------------------------------------------------------------------------------------

def duban_command() -> list[str]:
    script = Path(sys.executable).with_name("duban")
    return [str(script)] if script.exists() else [sys.executable, "-m", "duban.cli"]


COMPARE = True  # --no-compare


def compare_outputs(a: list[str], b: list[str], env: dict, key) -> str:
    """Run both once, capturing their JSON: how many records each printed and how many are the same."""
    import subprocess

    if not COMPARE:
        return "未核对（--no-compare）"

    got = []
    for cmd in (a, b):
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        try:
            got.append(json.loads(proc.stdout))
        except ValueError:
            return f"输出无法解析（退出码 {proc.returncode}）"
    mine, base = got
    same = len({json.dumps(r, sort_keys=True) for r in mine} & {json.dumps(r, sort_keys=True) for r in base})
    ids_mine, ids_base = {key(r) for r in mine}, {key(r) for r in base}
    rows = f"{len(mine):,} 行 / 基线 {len(base):,} 行"
    if ids_mine == ids_base:
        rows += "，同一批行"
    elif ids_mine <= ids_base:
        rows += "，duban 的行都在基线中"
    else:
        rows += f"，{len(ids_mine - ids_base)} 行不在基线中"
    in_order = sum(1 for x, y in zip(mine, base) if x == y)
    if in_order == len(mine) == len(base):
        return rows + "，逐行逐键相同"
    return rows + f"，{same:,} 行逐键相同"


class Suite:
    def __init__(self, args):
        self.args = args
        self.duban = duban_command()
        self.py = sys.executable
        self.results: list[dict] = []
        self.made: list[dict] = []
        self.scratch = Path(args.workdir) / "scratch"
        self.scratch.mkdir(parents=True, exist_ok=True)
        self.today = args.today.isoformat()

    def env(self, db: Path | str) -> dict:
        return {**os.environ, "DUBAN_DB": str(db), "DUBAN_TODAY": self.today, "NO_COLOR": "1", "COLUMNS": "160"}

    def wanted(self, key: str) -> bool:
        return not self.args.only or any(o in key for o in self.args.only)

    def record(self, key: str, ledger: str, timing: dict, target: str, met, rows: str = "", base_label: str = "",
               note: str = "") -> None:
        row = {"case": key, "ledger": ledger, "target": target, "met": met, "rows": rows, "base_label": base_label,
               "note": note, **timing}
        self.results.append(row)
        print(f"  {key} [{ledger}]: {fmt_s(median(timing['wall']))} (CPU {fmt_s(median(timing['cpu']))})"
              + (f"，基线 {fmt_s(median(timing['base_wall']))}，{timing['ratio']:.2f}×" if "ratio" in timing else "")
              + f" → {verdict(met)}", file=sys.stderr)
        if self.args.json:
            Path(self.args.json).write_text(json.dumps({"made": self.made, "results": self.results},
                                                       ensure_ascii=False, indent=1), encoding="utf-8")

    def skipped(self, key: str, ledger: str, why: str) -> None:
        self.results.append({"case": key, "ledger": ledger, "skipped": why})
        print(f"  {key} [{ledger}]: {why}", file=sys.stderr)

    # -- reads on the big ledgers
    def reads(self, size: str, n: int, shape: str, db: Path) -> None:
        env, name = self.env(db), ledger_name(size, shape)
        cases = [("list --light red --format json", ["list", "--light", "red", "--format", "json"], base_list,
                  lambda r: r["id"]),
                 ("overdue --format json", ["overdue", "--format", "json"], base_overdue,
                  lambda r: (r["id"], r["unit"]))]
        for key, args, base, ident in cases:
            if not self.wanted(key):
                continue
            a, b = self.duban + args, [self.py, "-c", base(), str(db), self.today]
            rows = compare_outputs(a, b, env, ident)
            timing = paired(a, b, env, self.args.runs)
            count = int(rows.split(" ")[0].replace(",", "")) if rows[0].isdigit() else None
            met = timing["ratio"] <= 2.0
            target = "≤ 2× 基线"
            if n >= 1_000_000 and count is not None and count < 1000:
                target += "，且 < 0.5 s"
                met = met and median(timing["wall"]) < 0.5
            self.record(key, name, timing, target, met, rows, "python + sqlite3 选出同样的行并输出 JSON")
        if n >= 1_000_000 and self.wanted("list --light red --unit"):  # under 1,000 rows at 1M: < 0.5 s
            key = "list --light red --unit U --format json"
            found = red_unit(db, self.today)
            if found is None:
                self.skipped(key, name, "没有哪个单位今天的红灯事项少于 1,000 项")
            else:
                unit_id, unit, _ = found
                a = self.duban + ["list", "--light", "red", "--unit", unit, "--format", "json"]
                b = [self.py, "-c", base_list(by_unit=True), str(db), self.today, str(unit_id)]
                rows = compare_outputs(a, b, env, lambda r: r["id"])
                timing = paired(a, b, env, self.args.runs)
                self.record(key, name, timing, "≤ 2× 基线，且 < 0.5 s（结果少于 1,000 行）",
                            timing["ratio"] <= 2.0 and median(timing["wall"]) < 0.5, rows,
                            "python + sqlite3 选出同样的行（该单位牵头或配合的红灯事项）并输出 JSON", note=unit)
        if n <= 20_000 and self.wanted("remind --dry-run --format json"):
            a = self.duban + ["remind", "--dry-run", "--format", "json"]
            b = [self.py, "-c", base_remind(), str(db), self.today]
            rows = compare_outputs(a, b, env, lambda r: (r["id"], r["unit"]))
            timing = paired(a, b, env, self.args.runs)
            self.record("remind --dry-run --format json", name, timing, "≤ 3× 基线", timing["ratio"] <= 3.0, rows,
                        "python + sqlite3 选出今天有催办等级的全部在办交办（duban 从中排定催办，行数 ≥ duban）")
        for key, args, limit in (("report stats", ["report", "stats"], 1.0),
                                 ("report weekly", ["report", "weekly", "--out", str(self.scratch / "weekly")], 3.0)):
            if not self.wanted(key) or (n < 1_000_000 and not self.args.reports_everywhere):
                continue
            if key == "report weekly" and shape == "backlog" and n > self.args.weekly_backlog_max:
                # 减负 (burden.similar_groups) compares every two open items' titles of a unit: on a backlog of
                # 100k that is ~10^9 comparisons (20k: 10 s of the 15 s); see bench/RESULTS.md
                self.skipped(key, name, f"未测：积压台账超过 {self.args.weekly_backlog_max:,} 项时（--weekly-backlog-max），"
                                        "减负一节逐对比较每个单位在办事项的标题，用时按在办事项数的平方增长")
                continue
            timing = paired(self.duban + args, None, env, self.args.runs)
            target = f"< {limit:g} s" + ("" if n >= 1_000_000 else "（目标针对 1M）")
            self.record(key, name, timing, target, median(timing["wall"]) < limit if n >= 1_000_000 else None)

    # -- writes that recompute schedules, on a fresh copy of the ledger each run
    def writes(self, size: str, shape: str, db: Path) -> None:
        import shutil

        name = ledger_name(size, shape)
        copy = self.scratch / f"write-{name}.db"
        env = self.env(copy)

        def fresh() -> None:
            for suffix in ("-wal", "-shm"):
                Path(f"{copy}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(db, copy)
            if Path(f"{db}-wal").exists():
                shutil.copyfile(f"{db}-wal", f"{copy}-wal")

        yardstick = self.duban + ["rules", "set", "office_name", "督查科"]
        for key, args in (("rules set near_due_workdays 4", ["rules", "set", "near_due_workdays", "4"]),
                          ("calendar add-holiday", ["calendar", "add-holiday", "2026-12-01", "--note", "地方假日"])):
            if not self.wanted(key):
                continue
            timing = paired(self.duban + args, yardstick, env, self.args.runs, fresh, fresh)
            self.record(key, name, timing, "（无目标：改写日程的代价）", None,
                        base_label="`rules set office_name 督查科`（没有日程读它的设置：同样的写入，不重算日程）")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)

    # -- the examples' ledger
    def small(self) -> None:
        import sqlite3
        import subprocess

        db = Path(self.args.workdir) / "example.db"
        if not db.exists():
            subprocess.run(["bash", str(HERE.parent / "examples" / "build_example.sh"), str(db)], check=True,
                           cwd=HERE.parent, env={**os.environ, "DUBAN": self.duban[0]}, stdout=subprocess.DEVNULL)
        conn = sqlite3.connect(db)
        item = conn.execute("SELECT max(id) FROM items WHERE status = 'open'").fetchone()[0]
        items = conn.execute("SELECT count(*) FROM items").fetchone()[0]
        day = conn.execute("SELECT max(at) FROM events").fetchone()[0]  # the examples' today (2026-11-20)
        conn.close()
        # (on an earlier day than the ledger's last write the schedules cannot answer: lit in Python)
        env = {**self.env(db), "DUBAN_TODAY": day}
        name = f"示例台账（{items} 项，{day}）"
        bare = [self.py, "-c", "pass"]
        for key, args, limit in ((f"show {item} --format json", ["show", str(item), "--format", "json"], 3.0),
                                 ("list --format json", ["list", "--format", "json"], 3.0),
                                 ("duban --help", ["--help"], None)):
            if not self.wanted(key.split(" ")[0] if key.startswith("show") else key):
                continue
            timing = paired(self.duban + args, bare, env, max(self.args.runs, 10))
            if limit:
                self.record(key, name, timing, "≤ 3× `python -c pass`", timing["ratio"] <= limit,
                            base_label="`python -c pass`")
            else:
                self.record(key, name, timing, "< 250 ms", median(timing["wall"]) < 0.25,
                            base_label="`python -c pass`（仅供对照）")
        if self.wanted("floor"):  # what start-up alone costs: the interpreter, then duban's CLI imported
            for key, code in (("floor: python -c 'import sqlite3, json'", "import sqlite3, json"),
                              ("floor: python -c 'import typer'", "import typer"),
                              ("floor: python -c 'import duban.cli'", "import duban.cli"),
                              ("floor: python -c 'import duban.cli, duban.ledger, duban.render'",
                               "import duban.cli, duban.ledger, duban.render")):
                timing = paired([self.py, "-c", code], bare, env, max(self.args.runs, 10))
                self.record(key, "—", timing, "（地板，无目标）", None, base_label="`python -c pass`")

    # -- import of the 10k sheet, and the command after it that builds its schedules
    def imported(self) -> None:
        import subprocess

        from bench_import import make_sheet

        sheet = Path(self.args.workdir) / "import-10000.xlsx"
        if not sheet.exists():
            make_sheet(sheet, 10_000)
        db = self.scratch / "import.db"
        env = self.env(db)

        def empty() -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            subprocess.run(self.duban + ["init"], env=env, check=True, capture_output=True)

        def imported() -> None:
            empty()
            subprocess.run(self.duban + ["import", str(sheet), "--create-units"], env=env, check=True,
                           capture_output=True)

        if self.wanted("import"):
            read = ("import sys\nfrom openpyxl import load_workbook\nwb = load_workbook(sys.argv[1], read_only=True)\n"
                    "print(sum(1 for ws in wb.worksheets for _ in ws.iter_rows(values_only=True)))")
            timing = paired(self.duban + ["import", str(sheet), "--create-units"], [self.py, "-c", read, str(sheet)],
                            env, self.args.runs, empty, None)
            self.record("import 10000 rows", "空台账", timing, "不慢于 openpyxl 只读整个文件的进程（issue #15：≤ 1×）",
                        timing["ratio"] <= 1.0, base_label="python + openpyxl 只读模式逐行读取同一文件")
        if self.wanted("after import"):
            first = self.duban + ["list", "--light", "red", "--format", "json"]
            built = self.scratch / "import-built.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{built}{suffix}").unlink(missing_ok=True)
            imported()
            subprocess.run(first, env=env, check=True, capture_output=True)  # builds the schedules
            import shutil

            shutil.copyfile(db, built)
            if Path(f"{db}-wal").exists():
                shutil.copyfile(f"{db}-wal", f"{built}-wal")
            again = ["env", f"DUBAN_DB={built}"] + first
            timing = paired(first, again, env, self.args.runs, imported, None)
            self.record("first command after import (list --light red --format json)", "导入 1 万行后", timing,
                        "（无目标：导入留下的日程在此建立）", None,
                        base_label="同一命令，日程已建好（第二条命令）")


# -- the report ---------------------------------------------------------------------------------------------

def fmt_s(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def verdict(met) -> str:
    return "—" if met is None else ("**达到**" if met else "**未达到**")


def machine() -> str:
    import platform
    import sqlite3
    import subprocess

    cpu = platform.machine()
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True).stdout
    return (f"{cpu}，{os.cpu_count()} 核；Python {platform.python_version()}，SQLite {sqlite3.sqlite_version}；"
            f"duban {commit.strip() or '?'}")


def markdown(made: list[dict], results: list[dict], runs: int) -> str:
    out = [f"机器：{machine()}；{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC", "",
           f"每条命令与其基线各先预热一次，再交替运行（基线、命令、基线、命令……）各 {runs} 次（小台账至少 10 次；"
           f"预热超过 10 s 的只运行 {SLOW_RUNS} 次，预热计入）；整个进程：解释器启动、导入、打开台账、查询、输出。"
           "墙钟与 CPU（用户 + 系统）取中位数，倍数为逐对之比的中位数。", ""]
    if made:
        out += ["台账（`bench/generate.py`，种子 7，“今天”2026-11-16；缓存于 workdir，已有则沿用）：", "",
                "| 台账 | 事项 | 交办 | 记录 | 大小 | 生成用时 | 其中首次打开建立亮灯日程（墙钟 / CPU） | 生成进程 CPU |",
                "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for m in made:
            out.append(f"| {ledger_name(m['size'], m['shape'])} | {m['items']:,} | {m['assignments']:,} | "
                       f"{m['events']:,} | {m['mib']:,.0f} MiB | {fmt_s(m['seconds'])} | {fmt_s(m['schedules_seconds'])} / "
                       f"{fmt_s(m.get('schedules_cpu'))} | "
                       f"{fmt_s(m.get('cpu'))} |")
        out.append("")
    out += ["| 命令 | 台账 | 行数 | 墙钟中位数（最小–最大） | CPU 中位数 | 基线墙钟 | 基线 CPU | 倍数（墙钟 / CPU） | 目标 | 结果 | 负载 |",
            "|---|---|---|---:|---:|---:|---:|---:|---|---|---:|"]
    for r in results:
        if "skipped" in r:
            out.append(f"| `{r['case']}` | {r['ledger']} | {r['skipped']} | | | | | | | | |")
            continue
        wall = f"{fmt_s(median(r['wall']))}（{fmt_s(min(r['wall']))}–{fmt_s(max(r['wall']))}，{r['runs']} 次）"
        code = "" if r["code"] == 0 else f"（退出码 {r['code']}）"
        ratio = f"{r['ratio']:.2f}× / {r['cpu_ratio']:.2f}×" if r.get("ratio") else "—"
        out.append(f"| `{r['case']}`{code} | {r['ledger']} | {r['rows'] or '—'} | {wall} | {fmt_s(median(r['cpu']))} | "
                   f"{fmt_s(median(r.get('base_wall', [])))} | {fmt_s(median(r.get('base_cpu', [])))} | {ratio} | "
                   f"{r['target']} | {verdict(r['met'])} | {r['load']:.1f} |")
    bases = {r["case"]: r["base_label"] for r in results if r.get("base_label")}
    if bases:
        out += ["", "基线："] + [f"- `{k}`：{v}" for k, v in bases.items()]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> None:
    import compileall

    parser = argparse.ArgumentParser(description="issue #16 的性能目标：整条命令计时，与同一轮的基线交替对比")
    parser.add_argument("--sizes", nargs="+", type=size_arg, default=[size_arg(s) for s in ("20k", "100k", "1m")],
                        help="大台账的规模（默认 20k 100k 1m）")
    parser.add_argument("--shapes", nargs="+", choices=SHAPES, default=list(SHAPES),
                        help="normal：大多已销号、少量逾期；backlog：导入的积压，大多逾期（默认两种）")
    parser.add_argument("--runs", type=int, default=5, help="每条命令的计时次数（默认 5）")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/duban-bench-lights"),
                        help="台账缓存目录（默认 /tmp/duban-bench-lights；已有的台账直接沿用）")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=TODAY, help="台账的“今天”（默认 2026-11-16）")
    parser.add_argument("--only", nargs="*", help="只运行名称包含这些文字的测量（如 list overdue remind report "
                        "rules calendar show help import floor）")
    parser.add_argument("--write-sizes", nargs="*", default=["20k", "100k"],
                        help="在这些规模的积压台账上计时 rules set / calendar add-holiday（默认 20k 100k）")
    parser.add_argument("--reports-everywhere", action="store_true", help="report stats/weekly 也在 1M 以下的台账上计时")
    parser.add_argument("--no-compare", action="store_true",
                        help="计时前不再各运行一次核对输出（百万积压台账上每次核对要几分钟）")
    parser.add_argument("--slow-runs", type=int, default=3,
                        help="预热超过 10 s 的命令只计这么多次（预热计入；默认 3）")
    parser.add_argument("--weekly-backlog-max", type=int, default=20_000,
                        help="report weekly 只在不超过这么多事项的积压台账上计时（默认 20000，见 RESULTS.md）")
    parser.add_argument("--no-small", action="store_true", help="不测示例台账、导入和启动地板")
    parser.add_argument("--generate-only", action="store_true", help="只生成（并计时）台账")
    parser.add_argument("--nice", type=int, default=0, help="以 nice 值运行（子进程继承；默认 0）")
    parser.add_argument("--out", type=Path, help="把 markdown 结果写入该文件")
    parser.add_argument("--json", type=Path, help="每测完一项就把原始数字写入该 JSON 文件")
    args = parser.parse_args(argv)
    if args.nice:
        os.nice(args.nice)
    global SLOW_RUNS, COMPARE
    SLOW_RUNS, COMPARE = max(1, args.slow_runs), not args.no_compare
    args.workdir.mkdir(parents=True, exist_ok=True)
    compileall.compile_dir(HERE.parent / "duban", quiet=1)  # as any normal install has its bytecode
    suite = Suite(args)
    ledgers = []
    for size, n in args.sizes:
        for shape in args.shapes:
            db, made = ensure_ledger(args.workdir, size, n, shape, args.today)
            suite.made.append(made)
            ledgers.append((size, n, shape, db))
    if not args.generate_only:
        if not args.no_small:
            suite.small()
            suite.imported()
        for size, n, shape, db in ledgers:
            print(f"{ledger_name(size, shape)}：{db}", file=sys.stderr)
            suite.reads(size, n, shape, db)
            if shape == "backlog" and size in args.write_sizes:
                suite.writes(size, shape, db)
    text = markdown(suite.made, suite.results, args.runs)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
