"""Time ``duban screen`` on a big ledger and ``duban rollup … stats`` over many ledgers (issue #18).

    python bench/bench_screen.py [--workdir /tmp/duban-bench] [--runs 5] [--ledgers 100] [--only screen|rollup]

* ``screen``: the 100k ledger of generate.py (made when missing), the whole process timed; beside it
  ``report ranking --format json`` on the same ledger (the quarter's ranking the screen shows);
* ``rollup stats``: one 10k ledger made by generate.py and copied ``--ledgers`` times, each copy with
  its own office_name (第N县督查室), then ``duban rollup copies… stats`` timed; afterwards every
  copy's SHA-256 is compared with its hash before the runs (the read-only guarantee).

duban's bytecode is written first, as any normal install has it (see bench/run.py). Each command
runs once to warm up, then ``--runs`` times; the median and least wall time and the median
CPU time (user + system, worker processes included) are printed as markdown. On a machine shared with
other work the wall time grows with the load, the CPU time hardly.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import os
import platform
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DUBAN = str(Path(sys.executable).parent / "duban")
TODAY = "2026-11-16"


def ensure(path: Path, items: int) -> None:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--items", str(items), str(path)],
                       check=True)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(args: list[str], runs: int) -> tuple[float, float, float]:
    """Median and least wall time, and the median CPU time (user + system, worker processes included)."""
    env = {**os.environ, "DUBAN_TODAY": TODAY}
    subprocess.run(args, env=env, check=True, capture_output=True)  # warm-up
    times, cpu = [], []
    for _ in range(runs):
        start, used = time.perf_counter(), _cpu()
        subprocess.run(args, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
        cpu.append(_cpu() - used)
    return statistics.median(times), min(times), statistics.median(cpu)


def row(what: str, size: str, result: tuple[float, float, float]) -> str:
    median, least, cpu = result
    return f"| {what} | {size} | {median * 1000:,.0f} ms | {least * 1000:,.0f} ms | {cpu * 1000:,.0f} ms |"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/duban-bench"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--ledgers", type=int, default=100)
    parser.add_argument("--only", choices=("screen", "rollup"), help="只测大屏（及排名）或只测汇总")
    opts = parser.parse_args()
    # with PYTHONDONTWRITEBYTECODE=1 (this machine) every timed process would compile duban anew (~100 ms)
    compileall.compile_dir(ROOT / "duban", quiet=1)
    big, small = opts.workdir / "100k.db", opts.workdir / "10k.db"
    print(f"机器：{platform.processor() or platform.machine()}，{os.cpu_count()} 核；Python {platform.python_version()}，"
          f"SQLite {sqlite3.sqlite_version}；负载 {os.getloadavg()[0]:.1f}\n")
    print("| 命令 | 规模 | 中位数 | 最小 | CPU 时间（中位数） |\n|---|---|---:|---:|---:|")
    if opts.only != "rollup":
        ensure(big, 100_000)
        out = opts.workdir / "screen.html"
        print(row("`screen --out FILE.html`", "100k", timed([DUBAN, "--db", str(big), "screen", "--out", str(out)],
                                                             opts.runs)))
        print(row("`report ranking --format json`", "100k",
                  timed([DUBAN, "--db", str(big), "report", "ranking", "--format", "json"], opts.runs)))
    if opts.only != "screen":
        rollup(opts, small)
    print(f"\n结束时负载 {os.getloadavg()[0]:.1f}")


def rollup(opts: argparse.Namespace, small: Path) -> None:
    ensure(small, 10_000)
    copies = opts.workdir / "rollup"
    copies.mkdir(exist_ok=True)
    paths = []
    for n in range(1, opts.ledgers + 1):
        path = copies / f"county{n:03d}.db"
        if not path.exists():
            path.write_bytes(small.read_bytes())
            conn = sqlite3.connect(path)
            with conn:
                conn.execute("INSERT INTO settings (key, value) VALUES ('office_name', ?)"
                             " ON CONFLICT(key) DO UPDATE SET value = excluded.value", [f"第{n}县督查室"])
            conn.close()
        paths.append(path)
    hashes = {p: digest(p) for p in paths}
    print(row(f"`rollup {opts.ledgers}本台账 stats`", f"{opts.ledgers}×10k",
              timed([DUBAN, "rollup", *map(str, paths), "stats"], max(3, opts.runs // 2))))
    print(row(f"`rollup {opts.ledgers}本台账 stats --by ledger --format json`", f"{opts.ledgers}×10k",
              timed([DUBAN, "rollup", *map(str, paths), "stats", "--by", "ledger", "--format", "json"],
                    max(3, opts.runs // 2))))
    changed = [p.name for p in paths if digest(p) != hashes[p]]
    print(f"\n汇总前后各台账文件的 SHA-256：{'全部相同' if not changed else '有变化：' + '、'.join(changed)}")


if __name__ == "__main__":
    main()
