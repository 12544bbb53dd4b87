"""Benchmark ``duban import`` against plain openpyxl reading of the same file.

    .venv/bin/python bench/bench_import.py [--rows 10000] [--runs 3] [--dir /tmp/duban-bench-import]

Generates one messy 台账 of ``--rows`` items (two title rows, a merged title, a 说明 sheet,
subtotal rows, gap rows, rows holding only a pre-filled 办理状态 (a dropdown filled down),
several units per cell, every date form of DOMAIN.md §8), then times,
each as the median of ``--runs`` runs:

1. plain openpyxl: ``load_workbook(read_only=True)`` and iterating every row's values;
2. ``importer.import_file`` in-process, into a fresh ledger (the units already added);
3. a whole Python process doing only 1 (start-up and the openpyxl import included);
4. the whole CLI process ``duban import FILE`` into a fresh ledger — compared with 3.

The runs are interleaved (openpyxl, in-process, openpyxl process, CLI, openpyxl, ...) so that load from
other work on the machine falls on all four alike. Prints rows/second for each, the
ratio to plain openpyxl, and the same ratio in CPU time. The target (issue #15): the whole
``duban import`` process at least as fast as plain openpyxl merely reading the file
(ratio ≥ 1.0); duban reads with python-calamine since then.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import os
import random
import shutil
import statistics
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from duban import importer  # noqa: E402
from duban.ledger import Ledger  # noqa: E402

TODAY = dt.date(2026, 11, 16)
UNITS = [
    ("市发展和改革委员会", "市发改委"), ("市教育局", "教育局"), ("市科学技术局", "市科技局"),
    ("市工业和信息化局", "市工信局"), ("市公安局", "公安局"), ("市民政局", "民政局"), ("市财政局", "财政局"),
    ("市人力资源和社会保障局", "市人社局"), ("市自然资源和规划局", "市自然资源局"), ("市生态环境局", "市环保局"),
    ("市住房和城乡建设局", "市住建局"), ("市交通运输局", "市交通局"), ("市水利局", "水利局"),
    ("市农业农村局", "市农业局"), ("市商务局", "商务局"), ("市文化广电和旅游局", "市文旅局"),
    ("市卫生健康委员会", "市卫健委"), ("市应急管理局", "市应急局"), ("市市场监督管理局", "市市场监管局"),
    ("市城市管理局", "市城管局"), ("市行政审批局", "市审批局"), ("市大数据发展管理局", "市大数据局"),
    ("城东区人民政府", "城东区政府"), ("城西区人民政府", "城西区政府"), ("高新区管委会", "高新区"),
]
VERBS = ["推进", "完善", "加快", "落实", "开展", "深化", "实施", "建设"]
THINGS = ["城区主干道综合整治", "老旧小区改造", "营商环境优化", "乡村振兴示范点建设", "河湖长制", "数字政府平台",
          "义务教育学位扩容", "医疗卫生服务体系", "安全生产专项整治", "农贸市场升级改造", "12345热线诉求办理",
          "重点项目审批提速", "生活垃圾分类", "地下管网改造", "公共文化设施建设"]
SOURCES = ["市委书记批示", "市政府常务会议议定", "2026年政府工作报告", "人大代表建议", "12345热线", "文件部署"]
LEADERS = ["张市长", "李副市长", "王副市长", "赵秘书长"]


def _due(rng: random.Random) -> object:
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice([
        dt.datetime(2026, month, day), f"2026年{month}月{day}日", f"2026.{month}.{day}", f"2026/{month}/{day}",
        f"{month}月{day}日前", f"{month}月底", "年底前", f"{'一二三四'[rng.randint(0, 3)]}季度末", "长期", "持续推进",
    ])


def make_sheet(path: Path, rows: int, seed: int = 7) -> int:
    """Write the benchmark workbook; returns the number of item rows."""
    from openpyxl import Workbook

    rng = random.Random(seed)
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = "重点工作台账"
    ws.append(["2026年重点工作督查台账"])
    ws.merge_cells("A1:J1")
    ws.append(["填报单位：市人民政府督查室", None, None, None, None, None, None, "更新时间：2026年11月"])
    ws.append(["序号", "督办事项", "来源", "文号", "牵头领导", "牵头单位", "配合单位", "完成时限", "进展情况", "备注",
               "办理状态"])
    next_row = 4
    for i in range(1, rows + 1):
        lead, lead_alias = UNITS[rng.randrange(len(UNITS))]
        co = rng.sample([u for u in UNITS if u[0] != lead], rng.randint(0, 3))
        co_cell = rng.choice(["、", "，", ";", "/", "\n"]).join(rng.choice(u) for u in co)
        title = f"{rng.choice(VERBS)}{rng.choice(THINGS)}（第{i}项）"
        values = [i, title, rng.choice(SOURCES), f"督办〔2026〕{i}号", rng.choice(LEADERS),
                  rng.choice([lead, lead_alias]), co_cell or None, _due(rng),
                  rng.choice(["正在推进", "已完成方案编制，正在组织实施", "已完成60%", None]),
                  rng.choice([None, None, "重点跟踪"]), "推进中"]
        for col, value in enumerate(values, start=1):
            ws.cell(next_row, col, value)
        next_row += 1
        if i % 97 == 0:
            next_row += 1  # a row missing from the file: a blank row between two rows
        if i % 250 == 0:
            ws.cell(next_row, 11, "推进中")  # only the pre-filled dropdown value
            next_row += 1
        if i % 500 == 0:
            ws.cell(next_row, 1, "小计")
            ws.cell(next_row, 2, f"{i}项")
            next_row += 1
    notes = wb.create_sheet("填表说明")
    notes.append(["说明：完成时限可写具体日期、月底、季度末、年底前或长期。"])
    wb.save(path)
    return rows


def fresh_ledger(template: Path, target: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, target)
    return target


def time_openpyxl(path: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds of loading the workbook read-only and iterating every row's values."""
    from openpyxl import load_workbook

    start, cpu = time.perf_counter(), time.process_time()
    wb = load_workbook(path, read_only=True, data_only=True)
    count = 0
    for ws in wb.worksheets:
        for _row in ws.iter_rows(values_only=True):
            count += 1
    wb.close()
    return time.perf_counter() - start, time.process_time() - cpu


OPENPYXL_READ = """
import sys
from openpyxl import load_workbook
wb = load_workbook(sys.argv[1], read_only=True, data_only=True)
count = 0
for ws in wb.worksheets:
    for _row in ws.iter_rows(values_only=True):
        count += 1
wb.close()
"""


def children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes so far."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def time_openpyxl_process(path: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds of a whole Python process that only reads the file with openpyxl
    (read-only, every row's values): the baseline a whole ``duban import`` process is held to."""
    start, cpu = time.perf_counter(), children_cpu()
    subprocess.run([sys.executable, "-c", OPENPYXL_READ, str(path)], check=True)
    return time.perf_counter() - start, children_cpu() - cpu


def time_in_process(path: Path, template: Path, db: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds of importer.import_file into a fresh ledger (units already added)."""
    fresh_ledger(template, db)
    start, cpu = time.perf_counter(), time.process_time()
    led = Ledger.open(db, today=TODAY)
    report = importer.import_file(led, path, importer.ImportOptions())
    elapsed = time.perf_counter() - start, time.process_time() - cpu
    assert report.written and not report.errors, report.errors[:3]
    led.db.close()
    return elapsed


def duban_command() -> list[str]:
    script = Path(sys.executable).parent / "duban"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from duban.cli import main; main()"]


def time_cli(path: Path, template: Path, db: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds of the whole ``duban import FILE`` process into a fresh ledger."""
    fresh_ledger(template, db)
    env = {**os.environ, "DUBAN_DB": str(db), "DUBAN_TODAY": TODAY.isoformat()}
    start, cpu = time.perf_counter(), children_cpu()
    done = subprocess.run([*duban_command(), "import", str(path)], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start, children_cpu() - cpu
    if done.returncode != 0:
        raise SystemExit(f"duban import failed ({done.returncode}):\n{done.stderr}{done.stdout[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/duban-bench-import"))
    args = parser.parse_args()
    args.runs = max(args.runs, 3)
    args.dir.mkdir(parents=True, exist_ok=True)
    compileall.compile_dir(Path(__file__).resolve().parent.parent / "duban", quiet=1)  # as installed: with bytecode
    sheet = args.dir / f"台账-{args.rows}.xlsx"
    start = time.perf_counter()
    rows = make_sheet(sheet, args.rows)
    print(f"generated {sheet} ({rows} item rows, {sheet.stat().st_size / 1e6:.1f} MB) in "
          f"{time.perf_counter() - start:.1f} s")

    template = args.dir / "units.db"
    fresh = Path(f"{template}.new")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{fresh}{suffix}").unlink(missing_ok=True)
    led = Ledger.open(fresh, today=TODAY, create=True)
    for name, alias in UNITS:
        led.add_unit(name, aliases=[alias])
    led.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    led.db.close()
    os.replace(fresh, template)
    db = args.dir / "bench.db"

    runs = {"openpyxl read-only iteration": lambda: time_openpyxl(sheet),
            "duban import (in-process)": lambda: time_in_process(sheet, template, db),
            "openpyxl read (whole process)": lambda: time_openpyxl_process(sheet),
            "duban import (CLI process)": lambda: time_cli(sheet, template, db)}
    wall: dict[str, list[float]] = {label: [] for label in runs}
    cpu: dict[str, list[float]] = {label: [] for label in runs}
    for _ in range(args.runs):  # interleaved, so that a busy moment on the machine hits all three alike
        for label, fn in runs.items():
            seconds, cpu_seconds = fn()
            wall[label].append(seconds)
            if cpu_seconds is not None:
                cpu[label].append(cpu_seconds)
    base = statistics.median(wall["openpyxl read-only iteration"])
    for label in runs:
        median = statistics.median(wall[label])
        print(f"{label:30s} median {median:.3f} s  ({', '.join(f'{t:.3f}' for t in wall[label])})"
              f"  {rows / median:7,.0f} rows/s  {base / median:.2f}× openpyxl")
    process_base = statistics.median(wall["openpyxl read (whole process)"])
    for label, against, said in (("duban import (in-process)", base, "plain openpyxl reading (in-process)"),
                                 ("duban import (CLI process)", process_base,
                                  "a whole process that only reads the file with openpyxl")):
        ratio = against / statistics.median(wall[label])
        print(f"{label}: {ratio:.2f}× the speed of {said} "
              f"({'meets' if ratio >= 1.0 else 'MISSES'} the ≥ 1.0 target)")
    cpu_ratio = statistics.median(cpu["openpyxl read-only iteration"]) / statistics.median(
        cpu["duban import (in-process)"])
    print(f"CPU time (less disturbed by other work on the machine): in-process import "
          f"{cpu_ratio:.2f}× the speed of plain openpyxl reading")
    process_cpu = statistics.median(cpu["openpyxl read (whole process)"]) / statistics.median(
        cpu["duban import (CLI process)"])
    print(f"CPU time of whole processes (user + system): duban import {process_cpu:.2f}× the speed of a process "
          f"that only reads the file with openpyxl")


if __name__ == "__main__":
    main()
