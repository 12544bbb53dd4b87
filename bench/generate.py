"""Build a realistic duban ledger of N items for benchmarks.

    python bench/generate.py --items 100000 /tmp/duban-bench/100k.db

40 units with aliases and contacts; items created over the three years before ``--today``
(default 2026-11-16), most closed, ~7% open (some overdue, some with deadlines in a year
the holiday schedule does not cover yet), some paused, cancelled or not yet assigned;
a lead unit and 0–2 co units; ~6 events per item; real deadlines counted in working days
(:class:`duban.workdays.WorkCalendar`); milestones on some key items; 催办 on overdue ones.

The schema comes from the migrations (the file is opened once with ``Ledger.open``, and
units are added through the Ledger); the items, assignments, milestones and events are
then written with direct SQL in big transactions for speed. Each item's stored state is
built exactly as :mod:`duban.lifecycle` derives it from the events written beside it, so
``duban check`` passes and ``duban show`` / ``duban log`` work. Deterministic: the same
``--seed`` and ``--today`` give the same file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from duban import chain  # noqa: E402
from duban.ledger import Ledger  # noqa: E402
from duban.models import ItemClass, Role, Satisfaction, Source  # noqa: E402
from duban.workdays import WorkCalendar  # noqa: E402

DAY = dt.timedelta(days=1)

UNITS = [
    ("市发展和改革委员会", ["市发改委", "发改委"]), ("市教育局", ["教育局"]), ("市科学技术局", ["市科技局"]),
    ("市工业和信息化局", ["市工信局"]), ("市公安局", ["公安局"]), ("市民政局", ["民政局"]), ("市司法局", ["司法局"]),
    ("市财政局", ["财政局"]), ("市人力资源和社会保障局", ["市人社局", "人社局"]),
    ("市自然资源和规划局", ["市自然资源局"]), ("市生态环境局", ["市环保局"]),
    ("市住房和城乡建设局", ["市住建局", "住建局"]), ("市交通运输局", ["市交通局", "交通局"]), ("市水利局", ["水利局"]),
    ("市农业农村局", ["市农业局"]), ("市商务局", ["商务局"]), ("市文化广电和旅游局", ["市文旅局"]),
    ("市卫生健康委员会", ["市卫健委", "卫健委"]), ("市退役军人事务局", ["市退役军人局"]),
    ("市应急管理局", ["市应急局"]), ("市审计局", ["审计局"]), ("市市场监督管理局", ["市市场监管局"]),
    ("市统计局", ["统计局"]), ("市医疗保障局", ["市医保局"]), ("市城市管理局", ["市城管局", "城管局"]),
    ("市行政审批局", ["市审批局"]), ("市林业局", ["林业局"]), ("市体育局", ["体育局"]), ("市信访局", ["信访局"]),
    ("市大数据发展管理局", ["市大数据局"]), ("市机关事务管理局", ["市机关事务局"]),
    ("市人民政府国有资产监督管理委员会", ["市国资委"]), ("市地方金融监督管理局", ["市金融局"]),
    ("市投资促进局", ["市投促局"]), ("市供销合作社", ["市供销社"]), ("城东区人民政府", ["城东区"]),
    ("城西区人民政府", ["城西区"]), ("高新技术产业开发区管委会", ["高新区"]), ("经济技术开发区管委会", ["经开区"]),
    ("市消防救援支队", ["市消防支队"]),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红梅志文斌宇浩凯鹏"
PLACES = ["城区主干道", "老旧小区", "农贸市场", "学校周边", "背街小巷", "城中村", "工业园区", "滨江公园", "公交站台",
          "污水管网", "地下通道", "菜市场", "医院周边", "棚户区", "物流园", "安置小区", "商业街", "高速出入口",
          "河道", "垃圾中转站", "人行天桥", "停车场", "夜市", "养老院", "幼儿园"]
ACTIONS = ["推进{p}综合整治", "解决{p}噪音扰民问题", "加快{p}改造提升", "排查整治{p}安全隐患", "解决{p}停车难问题",
           "处理群众反映的{p}积水问题", "落实{p}环境卫生长效管理", "整改{p}违规占道经营", "完善{p}照明设施",
           "督促{p}项目按期竣工", "化解{p}信访矛盾", "推进{p}雨污分流", "整治{p}油烟污染"]
LEADERS = ["市委书记", "市长", "常务副市长", "分管副市长", "市委秘书长", "市政府秘书长"]
FEEDBACKS = ["已召开专题会议研究部署", "已制定工作方案，正在推进", "已完成现场勘察", "已完成招标，正在施工",
             "主体工程已完工，正在收尾", "已协调相关单位，正在落实"]
RESULTS = ["已整改到位，群众满意", "已完成整治并通过验收", "问题已解决，已向反映人反馈", "已按方案完成全部任务",
           "已建立长效机制，问题未再反弹"]
PAUSE_REASONS = ["待市政府常务会研究", "等待省级批复", "涉及诉讼，待法院判决"]
CANCEL_REASONS = ["上级已统一部署，不再单独督办", "经核实不属于督办范围", "与其他事项合并办理"]
EXTEND_REASONS = ["需等待省级批复", "施工受雨季影响", "涉及多部门协调，需延长时限"]
MILESTONE_TITLES = ["完成方案制定", "完成招标", "完成主体施工", "完成验收"]
SOURCES = [(Source.LEADER_INSTRUCTION, 25), (Source.MEETING_DECISION, 15), (Source.DOCUMENT, 10),
           (Source.WORK_REPORT, 3), (Source.PROPOSAL, 5), (Source.PUBLIC_REQUEST, 35),
           (Source.INSPECTION_FINDING, 5), (Source.OTHER, 2)]
CLASSES = [(ItemClass.QUICK, 20), (ItemClass.PLAN, 15), (ItemClass.KEY, 15), (ItemClass.ROUTINE, 50)]
WITHIN = {ItemClass.QUICK: (5, 5, 10), ItemClass.PLAN: (15, 20, 30), ItemClass.KEY: (60, 90, 120),
          ItemClass.ROUTINE: (15, 20, 30, 30)}
REF_PREFIX = {Source.LEADER_INSTRUCTION: "批示", Source.MEETING_DECISION: "会议纪要", Source.DOCUMENT: "市政办发",
              Source.PROPOSAL: "建议", Source.PUBLIC_REQUEST: "12345-"}


@dataclass
class A:
    """An assignment being built (the columns ``Ledger._store`` writes)."""

    unit_id: int
    unit: str
    role: Role
    assigned_on: dt.date
    due: dt.date
    due_basis: str
    person: str | None
    status: str = "open"
    signed_on: dt.date | None = None
    last_feedback: dt.date | None = None
    percent: int | None = None
    closed_on: dt.date | None = None
    result: str | None = None
    extensions: int = 0
    original_due: dt.date | None = None
    restarted_on: dt.date | None = None
    within: int | None = None  # the N of an N-working-day deadline (None once extended: a given date)


@dataclass
class Built:
    events: list = field(default_factory=list)  # (at, kind, unit_id, detail, data)
    assignments: list = field(default_factory=list)
    milestones: list = field(default_factory=list)  # [seq, due, title, done_on]


def iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def rechain(conn) -> None:
    """Hash the whole event log anew (duban.chain, as ``Ledger._append_events`` does) and store its head:
    for events edited after they were appended (the units' audit stamps), inside the caller's write."""
    previous, last_id, count = chain.GENESIS, None, 0
    rows = conn.execute(f"SELECT {', '.join(chain.COLUMNS)} FROM event_log ORDER BY id").fetchall()
    for row in rows:
        previous = chain.link(previous, row)
        conn.execute("UPDATE event_log SET hash = ? WHERE id = ?", [previous, row[0]])
        last_id, count = row[0], count + 1
    conn.execute("INSERT INTO event_chain (id, count, head, last_id) VALUES (1, ?, ?, ?) ON CONFLICT(id)"
                 " DO UPDATE SET count = excluded.count, head = excluded.head, last_id = excluded.last_id",
                 [count, previous, last_id])


def rollup(assignments: list[A], status_if_none: str) -> str:
    """The item status as duban.lifecycle.rollup derives it."""
    states = {a.status for a in assignments}
    if not states:
        return status_if_none
    for s in ("open", "paused", "done"):
        if s in states:
            return s
    lead = next(a for a in assignments if a.role is Role.LEAD)
    return "closed" if "closed" in states and lead.status == "closed" else "cancelled"


class Generator:
    def __init__(self, rng: random.Random, cal: WorkCalendar, units: list[tuple[int, str]], today: dt.date,
                 backlog: bool = False):
        self.rng, self.cal, self.units, self.today = rng, cal, units, today
        self.backlog = backlog  # the imported-backlog shape: most items past their deadline still open

    def workday_after(self, day: dt.date, n: int) -> tuple[dt.date, bool]:
        span = self.cal.add_workdays(day, n)
        return span.value, bool(span.uncovered)

    def item(self, item_id: int, created: dt.date) -> tuple[tuple, Built]:
        rng, today = self.rng, self.today
        b = Built()
        source = rng.choices([s for s, _ in SOURCES], [w for _, w in SOURCES])[0]
        klass = rng.choices([c for c, _ in CLASSES], [w for _, w in CLASSES])[0]
        title = rng.choice(ACTIONS).format(p=rng.choice(PLACES))
        prefix = REF_PREFIX.get(source)
        ref = f"{prefix}〔{created.year}〕{rng.randint(1, 999)}号" if prefix else None
        leader = rng.choice(LEADERS) if source in (Source.LEADER_INSTRUCTION, Source.MEETING_DECISION) else None
        content = f"{title}，按期报送办理结果。" if rng.random() < 0.5 else None
        standard = "问题整改到位、群众满意" if klass is ItemClass.KEY else None
        age = (today - created).days

        # the fate of the item: work within its deadline is mostly still open; past it, mostly closed
        within = rng.choice(WITHIN[klass])
        due, uncovered = self.workday_after(created, within)
        r = rng.random()
        if age < 8 and r < 0.15:
            fate = "pending"
        elif due >= today:
            fate = "open" if r < 0.85 else "paused" if r < 0.88 else "closed"
        elif self.backlog:
            fate = "open" if r < 0.85 else "closed"
        elif r < (0.08 if age < 180 else 0.008):
            fate = "open"  # overdue
        elif r < (0.10 if age < 180 else 0.02):
            fate = "paused"
        elif r < (0.12 if age < 180 else 0.04):
            fate = "cancelled"
        else:
            fate = "closed"
        planned = within if fate == "pending" else None
        data = {"title": title, "source": source.code, "ref": ref, "leader": leader, "class": klass.code,
                "content": content, "standard": standard, "due": None, "within": planned}
        b.events.append((created, "created", None, f"立项：{title}（{source.label}）", data))
        row = (item_id, title, source.code, ref, leader, klass.code, content, standard, iso(created))
        if fate == "pending":
            return row + ("pending", None, planned), b

        # 交办: lead and 0–2 co units, deadline N working days after the day of assignment
        basis = "weekends" if uncovered else "calendar"
        picked = rng.sample(self.units, 1 + rng.choices((0, 1, 2), (55, 30, 15))[0])
        person = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
        for n, (unit_id, name) in enumerate(picked):
            role = Role.LEAD if n == 0 else Role.CO
            a = A(unit_id, name, role, created, due, basis, person if role is Role.LEAD else None, original_due=due,
                  within=within)
            b.assignments.append(a)
            b.events.append((created, "assigned", unit_id, f"交办{role.label}单位“{name}”，办理时限 {iso(due)}",
                             {"role": role.code, "due": iso(due), "due_basis": basis, "within": within,
                              "person": a.person}))
        lead = b.assignments[0]
        if klass in (ItemClass.KEY, ItemClass.PLAN) and rng.random() < 0.4:
            span = (due - created).days
            for k in range(rng.choice((1, 2))):
                m_due = self.cal.next_workday(created + dt.timedelta(days=max(1, span * (k + 1) // 3)))
                m_title = MILESTONE_TITLES[k]
                b.milestones.append([k + 1, m_due, m_title, None])
                b.events.append((created, "milestone_added", None, f"设定节点：{iso(m_due)} {m_title}",
                                 {"due": iso(m_due), "title": m_title}))

        cursor = created

        def at(day: dt.date, limit: dt.date = today) -> dt.date | None:
            """The date of the next event: never before the previous one, None if after ``limit``."""
            nonlocal cursor
            day = max(day, cursor)
            if day > limit:
                return None
            cursor = day
            return day

        # the day the work ends (closed, paused or cancelled), or None while it goes on
        if fate == "closed":
            last = min(due, today)
            end = min(today, created + dt.timedelta(days=rng.randint(1, max(1, (last - created).days))))
            if due < today and rng.random() < 0.15:  # closed late
                end = min(today, self.workday_after(due, rng.randint(1, 20))[0])
        elif fate in ("paused", "cancelled"):
            end = min(today, created + dt.timedelta(days=rng.randint(1, max(1, min(age, 40)))))
        else:
            end = None
        horizon = min(end or today, today)

        for a in b.assignments:
            if a.role is Role.LEAD or rng.random() < 0.3:
                day = at(self.workday_after(created, rng.randint(1, 2))[0], horizon)
                if day is not None:
                    a.signed_on = day
                    b.events.append((day, "signed", a.unit_id, f"“{a.unit}”签收", {}))
        for k in range(rng.choices((0, 1, 2), (35, 45, 20))[0]):
            day = at(cursor + dt.timedelta(days=rng.randint(3, 20)), horizon)
            if day is None:
                break
            percent = min(90, (k + 1) * rng.choice((20, 30, 40)))
            text = rng.choice(FEEDBACKS)
            lead.last_feedback, lead.percent = day, percent
            b.events.append((day, "feedback", lead.unit_id, f"“{lead.unit}”反馈进展（完成{percent}%）：{text}",
                             {"text": text, "percent": percent}))
        if rng.random() < 0.08:
            day = at(cursor + dt.timedelta(days=rng.randint(0, 10)), min(lead.due, horizon))
            if day is not None:
                to = self.workday_after(lead.due, rng.choice((10, 15, 20)))[0]
                reason = rng.choice(EXTEND_REASONS)
                basis = "given"  # an extension is a date the office gives (Ledger.extend)
                b.events.append((day, "extended", lead.unit_id,
                                 f"“{lead.unit}”延期：{iso(lead.due)} → {iso(to)}，理由：{reason}",
                                 {"from": iso(lead.due), "to": iso(to), "reason": reason, "due_basis": basis}))
                lead.due, lead.due_basis, lead.extensions, lead.within = to, basis, lead.extensions + 1, None
                if fate == "closed" and end > to:
                    end = max(cursor, to - dt.timedelta(days=rng.randint(0, 5)))

        if fate == "closed":
            for m in b.milestones:
                day = at(min(m[1], end))
                m[3] = day
                b.events.append((day, "milestone_done", None, f"完成节点{m[0]}：{m[2]}", {"seq": m[0]}))
            for a in reversed(b.assignments):  # co units report first, the lead closes last
                day = at(end)
                result = rng.choice(RESULTS)
                on_time = day <= a.due
                a.status, a.closed_on, a.result = "closed", day, result
                b.events.append((day, "closed", a.unit_id,
                                 f"“{a.unit}”{'按期' if on_time else '逾期'}办结，销号：{result}",
                                 {"result": result, "review": False, "on_time": on_time, "due": iso(a.due)}))
            if rng.random() < 0.1:
                day = at(end + dt.timedelta(days=rng.randint(5, 30)))
                if day is not None:
                    s = rng.choices(list(Satisfaction), (80, 15, 5))[0]
                    b.events.append((day, "revisited", None, f"回访：{s.label}：电话回访，问题未反弹",
                                     {"satisfaction": s.code, "note": "电话回访，问题未反弹"}))
        elif fate == "paused":
            reason = rng.choice(PAUSE_REASONS)
            for a in b.assignments:
                day = at(end)
                if day is None:
                    break
                a.status = "paused"
                b.events.append((day, "paused", a.unit_id, f"“{a.unit}”暂缓：{reason}", {"reason": reason}))
        elif fate == "cancelled":
            reason = rng.choice(CANCEL_REASONS)
            for a in b.assignments:
                day = at(end)
                if day is None:
                    break
                a.status = "cancelled"
                b.events.append((day, "cancelled", a.unit_id, f"撤销“{a.unit}”的交办：{reason}", {"reason": reason}))
        elif lead.due < today and rng.random() < 0.7:  # overdue and still open: 催办
            for level in range(1, rng.randint(1, 3) + 1):
                day = at(self.workday_after(lead.due, level * 3)[0])
                if day is None:
                    break
                b.events.append((day, "reminded", lead.unit_id, f"催办“{lead.unit}”：已超过办理时限",
                                 {"level": level}))
        status = rollup(b.assignments, "pending")
        return row + (status, iso(lead.due), None), b


def generate(out: Path, n_items: int, seed: int, today: dt.date, batch: int = 20_000, quiet: bool = False,
             backlog: bool = False) -> dict:
    if out.exists():
        raise SystemExit(f"{out} 已存在（请先删除或换一个文件名）")
    rng = random.Random(seed)
    start = today - dt.timedelta(days=(365 if backlog else 3 * 365))
    led = Ledger.open(out, today=start, create=True)
    for name, aliases in UNITS:
        contact = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        led.add_unit(name, aliases, contact=contact, phone=f"0771-555{rng.randint(0, 9999):04d}")
    units = [(u.id, u.name) for u in led.units()]
    with led._write():  # the audit stamp of the unit events, like every generated one, follows the date
        led.db.execute("UPDATE event_log SET logged_at = at || 'T01:30:00+00:00' WHERE item_id IS NULL")
        rechain(led.db.conn)  # (the stamp is under the hash: chain the edited events anew)
    cal = led.calendar
    conn = led.db.conn
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -400000")
    # Drop the indexes while loading and rebuild them from their own stored SQL (same schema).
    indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").fetchall()
    for name, _ in indexes:
        conn.execute(f"DROP INDEX {name}")

    # creation days: working days over the three years, in order, so ids follow time
    days = []
    day = start + DAY
    while day <= today:
        if cal.is_workday(day):
            days.append(day)
        day += DAY
    created = sorted(rng.choice(days) for _ in range(n_items))
    gen = Generator(rng, cal, units, today, backlog)
    stamp = {}
    counts = {"items": 0, "events": 0, "assignments": 0, "milestones": 0}
    t0 = time.perf_counter()
    for lo in range(0, n_items, batch):
        items, events, assignments, milestones = [], [], [], []
        for k in range(lo, min(lo + batch, n_items)):
            item_id = k + 1
            row, b = gen.item(item_id, created[k])
            items.append(row)
            for when, kind, unit_id, detail, data in b.events:
                logged = stamp.get(when)
                if logged is None:
                    logged = stamp[when] = f"{when.isoformat()}T01:30:00+00:00"
                events.append([item_id, unit_id, when.isoformat(), kind, detail,
                               json.dumps(data, ensure_ascii=False), logged])
            for a in b.assignments:
                assignments.append((item_id, a.unit_id, a.role.code, a.status, iso(a.assigned_on), iso(a.due),
                                    a.due_basis, a.person, iso(a.signed_on), iso(a.last_feedback), a.percent,
                                    iso(a.closed_on), a.result, a.extensions, iso(a.original_due),
                                    iso(a.restarted_on), a.within))
            for seq, m_due, title, done in b.milestones:
                milestones.append((item_id, seq, iso(m_due), title, iso(done)))
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO items (id, title, source, ref, leader, class, content, standard, created,"
                         " status, due, within) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", items)
        led._append_events(events)  # each event chained to the one before (duban.chain), the head moved
        conn.executemany("INSERT INTO assignments (item_id, unit_id, role, status, assigned_on, due, due_basis,"
                         " person, signed_on, last_feedback, percent, closed_on, result, extensions, original_due,"
                         " restarted_on, within) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         assignments)
        conn.executemany("INSERT INTO milestones (item_id, seq, due, title, done_on) VALUES (?, ?, ?, ?, ?)",
                         milestones)
        conn.execute("COMMIT")
        counts["items"] += len(items)
        counts["events"] += len(events)
        counts["assignments"] += len(assignments)
        counts["milestones"] += len(milestones)
        if not quiet:
            print(f"  {counts['items']:>9,} 项 {time.perf_counter() - t0:7.1f} s", file=sys.stderr)
    conn.execute("BEGIN")
    for _, sql in indexes:
        conn.execute(sql)
    conn.execute("COMMIT")
    if not quiet:
        print(f"  索引重建完成 {time.perf_counter() - t0:7.1f} s", file=sys.stderr)
    conn.execute("PRAGMA journal_mode = WAL")
    # the schedules (issue #16): as for a ledger of an older duban, the next open builds them; timed here
    conn.execute("DELETE FROM schedule_state")
    conn.commit()
    led.db.conn.close()
    t1, c1 = time.perf_counter(), time.process_time()
    Ledger.open(out, today=today).db.close()
    counts["schedules_seconds"] = time.perf_counter() - t1
    counts["schedules_cpu"] = time.process_time() - c1
    if not quiet:
        print(f"  亮灯日程建立完成 {counts['schedules_seconds']:7.1f} s", file=sys.stderr)
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="生成用于性能测试的督办台账")
    parser.add_argument("out", type=Path, help="输出的台账文件（不得已存在）")
    parser.add_argument("--items", type=int, default=10_000, help="事项数（默认 10000）")
    parser.add_argument("--seed", type=int, default=7, help="随机数种子（默认 7）")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2026, 11, 16),
                        help="台账的“今天”（默认 2026-11-16）")
    parser.add_argument("--quiet", action="store_true", help="不打印进度")
    parser.add_argument("--backlog", action="store_true",
                        help="导入积压的形态：一年内立项，过了时限的事项大多仍在办（大多逾期）")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    counts = generate(args.out, args.items, args.seed, args.today, quiet=args.quiet, backlog=args.backlog)
    seconds = time.perf_counter() - t0
    size = args.out.stat().st_size / 2**20
    print(f"{args.out}: {counts['items']:,} 项，{counts['events']:,} 条记录，{counts['assignments']:,} 个交办，"
          f"{counts['milestones']:,} 个节点；{size:,.0f} MiB；用时 {seconds:.1f} s")


if __name__ == "__main__":
    main()
