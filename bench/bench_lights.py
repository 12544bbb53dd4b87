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


# -- baselines: a bare python + sqlite3 process selecting the same rows and dumping them as JSON ----------
# Each reads today's lights where duban reads them (the schedules), joins the same items, assignments and
# units and gives the same keys; the stored counts and words are put back with the workdays table's
# ordinals (duban/schedule.py's format: "s"/"e" + date, or a number; in words between U+E000 and U+E001),
# each distinct text once. argv = [db, today]. The SQL is built here (labels from duban.models, so the
# words are duban's) and handed over as text: the timed process imports only json, re, sqlite3 and sys.

def _labels(x: str, pairs) -> str:
    return f"CASE {x} " + " ".join(f"WHEN {k!r} THEN '{v}'" for k, v in pairs) + " ELSE NULL END"


def _codes(enum) -> list[tuple[str, str]]:
    return [(m.code, m.label) for m in enum]


def _level(x: str) -> str:
    from duban.models import LEVEL_LABELS

    return _labels(x, sorted(LEVEL_LABELS.items()))


TODAY_CTE = "t AS (SELECT ?1 AS d)"
NOW = "s.from_date <= t.d AND s.until_date > t.d"
HEAD = r"""
import json, re, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
ordinal = dict(db.execute("SELECT date, ordinal FROM workdays"))
today = ordinal[sys.argv[2]]
def count(spec):
    if spec is None:
        return None
    if spec[0] == "s":
        return max(0, today - ordinal[spec[1:]])
    if spec[0] == "e":
        return max(0, ordinal[spec[1:]] - today)
    return int(spec)
mark = re.compile("\ue000([se])(\\d{4}-\\d\\d-\\d\\d)\ue001")
put = lambda m: str(count(m.group(1) + m.group(2)))
seen_words, seen_counts = {None: None}, {None: None}
def words(text):
    try:
        return seen_words[text]
    except KeyError:
        made = seen_words[text] = mark.sub(put, text) if "\ue000" in text else text
        return made
def counted(spec):
    try:
        return seen_counts[spec]
    except KeyError:
        made = seen_counts[spec] = count(spec)
        return made
cur = db.execute(SQL, sys.argv[2:])
keys = [c[0] for c in cur.description]
dumps, out = json.dumps, sys.stdout
rows = []
for row in cur:
    rec = dict(zip(keys, row))
    for k in WORDS:
        rec[k] = words(rec[k])
    for k in COUNTS:
        rec[k] = counted(rec[k])
    FIX
    rows.append(rec)
"""
# worst unit first (its longest lateness), inside a unit the longest late first: duban's order for 催办
UNIT_ORDER = r"""
worst = {}
for rec in rows:
    worst[rec["unit"]] = max(worst.get(rec["unit"], 0), rec[LATE] or 0)
rows.sort(key=lambda r: (-worst[r["unit"]], r["unit"], -(r[LATE] or 0), r["id"]))
"""
TAIL = r"""
for rec in rows:
    for k in DROP:
        del rec[k]
out.write("[\n" + ",\n".join(dumps(rec, ensure_ascii=False) for rec in rows) + "\n]\n")
"""


def baseline_script(sql: str, words: tuple[str, ...], counts: tuple[str, ...], fix: str = "",
                    late: str | None = None, drop: tuple[str, ...] = ()) -> str:
    body = HEAD.replace("FIX", fix or "pass") + (UNIT_ORDER.replace("LATE", repr(late)) if late else "") + TAIL
    return f"SQL = {sql!r}\nWORDS = {words!r}\nCOUNTS = {counts!r}\nDROP = {drop!r}\n" + body


def base_list(by_unit: bool = False) -> str:
    """``list --light red --format json``: the items red today, with their lead and co units (``by_unit``: only
    those of the unit whose id is argv[3], as ``--unit``: lead or co, not withdrawn)."""
    from duban.models import ItemClass, Source, Status

    lead = "FROM assignments a JOIN units u ON u.id = a.unit_id WHERE a.item_id = i.id AND a.role = 'lead' LIMIT 1"
    sql = f"""WITH {TODAY_CTE},
    unsure AS (SELECT DISTINCT substr(date, 1, 4) AS y FROM workdays WHERE note LIKE '%估算%')
    SELECT i.id AS id, i.title AS title, i.source AS source, {_labels('i.source', _codes(Source))} AS source_label,
      i.ref AS ref, i.leader AS leader, i.class AS class, {_labels('i.class', _codes(ItemClass))} AS class_label,
      i.status AS status, {_labels('i.status', _codes(Status))} AS status_label, s.light AS light,
      s.reason AS light_reason, i.due AS due,
      EXISTS (SELECT 1 FROM assignments a WHERE a.item_id = i.id AND a.status IN ('open', 'paused', 'done')
              AND a.due IS NOT NULL AND (a.due_basis IN ('estimated', 'weekends')
                                         OR substr(a.due, 1, 4) IN (SELECT y FROM unsure))) AS due_uncertain,
      (SELECT u.name {lead}) AS lead_unit,
      (SELECT json_group_array(name) FROM (SELECT u.name FROM assignments a JOIN units u ON u.id = a.unit_id
        WHERE a.item_id = i.id AND a.role = 'co' ORDER BY a.id)) AS co_units,
      s.workdays_left AS workdays_left, s.overdue_workdays AS overdue_workdays, i.created AS created,
      (SELECT a.assigned_on {lead}) AS assigned_on,
      (SELECT max(a.last_feedback) FROM assignments a WHERE a.item_id = i.id) AS last_feedback,
      (SELECT a.percent {lead}) AS percent, i.parent_id AS parent
    FROM t, schedules s JOIN items i ON i.id = s.item_id
    WHERE s.unit_id IS NULL AND {NOW} AND s.light = 'red' AND i.status IN ('pending', 'open', 'paused', 'done')
      AND i.created <= t.d{UNIT if by_unit else ""}
    ORDER BY i.id"""
    return baseline_script(sql, ("light_reason",), ("workdays_left", "overdue_workdays"),
                           "rec['due_uncertain'] = bool(rec['due_uncertain']); rec['co_units'] = json.loads(rec['co_units'])")


UNIT = "\n      AND i.id IN (SELECT item_id FROM assignments WHERE unit_id = ?2 AND status != 'cancelled')"


def red_unit(db: Path, today: str, below: int = 1000) -> tuple[int, str, int] | None:
    """The unit with the most red items today under ``below`` (a small result on a big ledger): id, name, count."""
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT u.id, u.name, count(DISTINCT s.item_id) FROM schedules s JOIN items i ON i.id = s.item_id"
            " JOIN assignments a ON a.item_id = s.item_id AND a.status != 'cancelled' JOIN units u ON u.id = a.unit_id"
            " WHERE s.unit_id IS NULL AND s.from_date <= ?1 AND s.until_date > ?1 AND s.light = 'red'"
            " AND i.status IN ('pending', 'open', 'paused', 'done') AND i.created <= ?1 GROUP BY u.id", [today]
        ).fetchall()
    finally:
        conn.close()
    under = [r for r in rows if r[2] < below]
    return max(under, key=lambda r: (r[2], -r[0])) if under else None


def _chased() -> str:
    """Each chased open assignment of the items in ``r``: its 催办 up to today, how many since its last
    feedback, the last day and level."""
    return """ch AS (SELECT e.item_id, e.unit_id,
        sum(COALESCE(json_extract(e.data, '$.level'), 1) >= 1 AND (a.last_feedback IS NULL OR e.at > a.last_feedback))
          AS unanswered, max(e.at) AS last_at,
        (SELECT COALESCE(json_extract(x.data, '$.level'), 1) FROM events x WHERE x.item_id = e.item_id
          AND x.unit_id = e.unit_id AND x.kind = 'reminded' AND x.at <= ?1 ORDER BY x.id DESC LIMIT 1) AS last_level
      FROM assignments a JOIN events e ON e.item_id = a.item_id AND e.unit_id = a.unit_id
        AND e.kind = 'reminded' AND e.at <= ?1
      WHERE a.status = 'open' AND a.item_id IN (SELECT item_id FROM r) GROUP BY e.item_id, e.unit_id)"""


def base_overdue() -> str:
    """``overdue --format json``: the red assignments of items past a deadline or a lead milestone today,
    with unit, contact, level, lateness, words and 催办 history, worst unit first."""
    from duban.models import Source

    red = (f"SELECT s.* FROM schedules s, t WHERE s.unit_id IS NOT NULL AND {NOW} AND s.light = 'red'"
           f" AND s.item_id IN (SELECT s.item_id FROM schedules s, t WHERE s.unit_id IS NOT NULL AND {NOW}"
           f" AND s.code IN ('overdue', 'milestone'))")
    sql = f"""WITH {TODAY_CTE}, r AS MATERIALIZED ({red}), {_chased()}
    SELECT i.id AS id, i.title AS title, u.name AS unit, a.role AS role,
      CASE a.role WHEN 'lead' THEN '牵头' ELSE '配合' END AS role_label, a.due AS due, r.missed AS missed,
      r.late_workdays AS overdue_workdays, r.status_text AS status_text,
      r.level AS level, {_level('r.level')} AS level_label, r.level_reason AS level_reason,
      COALESCE(ch.unanswered, 0) AS reminders, ch.last_at AS last_reminded, ch.last_level AS last_reminded_level,
      a.last_feedback AS last_feedback, a.percent AS percent, u.contact AS contact, u.phone AS phone,
      (SELECT lu.name FROM assignments la JOIN units lu ON lu.id = la.unit_id WHERE la.item_id = i.id
        AND la.role = 'lead' LIMIT 1) AS lead_unit,
      i.source AS source, {_labels('i.source', _codes(Source))} AS source_label, i.class AS class,
      r.reason AS light_reason
    FROM t, r JOIN items i ON i.id = r.item_id JOIN assignments a ON a.item_id = r.item_id AND a.unit_id = r.unit_id
      JOIN units u ON u.id = r.unit_id LEFT JOIN ch ON ch.item_id = r.item_id AND ch.unit_id = r.unit_id
    WHERE i.created <= t.d"""
    return baseline_script(sql, ("status_text", "level_reason", "light_reason"), ("overdue_workdays",),
                           late="overdue_workdays")


def base_remind() -> str:
    """``remind --dry-run --format json``: every open assignment with a 催办 level today (the candidates
    duban's plan picks today's reminders from: a superset of its rows), with its words, reply-by day and
    history, worst unit first."""
    from duban.models import NOTICE_KINDS

    lit = f"SELECT s.* FROM schedules s, t WHERE s.unit_id IS NOT NULL AND {NOW} AND s.level IS NOT NULL"
    reply = ("reply AS (SELECT min(w.date) AS day FROM workdays w WHERE w.is_workday AND w.ordinal = (SELECT ordinal"
             " FROM workdays WHERE date = ?1) + COALESCE((SELECT CAST(value AS INTEGER) FROM settings"
             " WHERE key = 'reply_workdays'), 3))")
    level = "min(r.level, COALESCE(ch.last_level + 1, 1))"  # one step above the last 催办 at most (chase.step_cap)
    sql = f"""WITH {TODAY_CTE}, {reply}, r AS MATERIALIZED ({lit}), {_chased()}
    SELECT i.id AS id, i.title AS title, u.name AS unit, a.role AS role, a.due AS due,
      r.status_text AS status_text, {level} AS level, {_level(level)} AS level_label,
      {_labels(level, sorted(NOTICE_KINDS.items()))} AS notice,
      NULL AS doc_ref, COALESCE(r.chase_reason, r.reason) AS reason,
      reply.day AS reply_by, '系统' AS channel, COALESCE(ch.unanswered, 0) AS reminders_before,
      ch.last_at AS last_reminded, u.contact AS contact, u.phone AS phone, NULL AS notice_file, r.late_workdays AS late
    FROM t, reply, r CROSS JOIN items i ON i.id = r.item_id
      CROSS JOIN assignments a ON a.item_id = r.item_id AND a.unit_id = r.unit_id
      JOIN units u ON u.id = r.unit_id LEFT JOIN ch ON ch.item_id = r.item_id AND ch.unit_id = r.unit_id
    WHERE a.status = 'open' AND i.created <= t.d"""
    return baseline_script(sql, ("status_text", "reason"), ("late",), late="late", drop=("late",))


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
