"""The baselines of bench/bench_lights.py: bare python + sqlite3 processes selecting the rows duban's reads
print (``list --light red``, ``overdue``, ``remind --dry-run``) and dumping them as JSON with the same keys.

bench_lights.py runs each once beside duban before timing and reports how many records are the same
(for list and overdue: all of them, in order).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


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
