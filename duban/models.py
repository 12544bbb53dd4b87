"""Dataclasses and enums shared by every layer.

Each enum member carries its English code (stored in the database and in JSON) and its
Chinese label (shown to people). ``parse`` accepts either, plus a few common synonyms,
so a clerk can type ``--source 领导批示`` and a script ``--source leader_instruction``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum

from .errors import UsageError


class CodedEnum(Enum):
    """An enum whose value is the English code and which knows its Chinese label."""

    def __new__(cls, code: str, label: str, *synonyms: str):
        obj = object.__new__(cls)
        obj._value_ = code
        obj.code = code  # a plain attribute: `.value` goes through a descriptor, and lights are read often
        obj.label = label
        obj.synonyms = synonyms
        return obj

    @classmethod
    def of(cls, code: str):
        """The member stored as ``code`` — ``cls(code)`` without the enum machinery, for bulk reads."""
        try:
            return cls._value2member_map_[code]
        except (KeyError, TypeError):
            return cls(code)  # raises ValueError, as ``cls(code)`` does for an unknown (or unhashable) code

    @classmethod
    def parse(cls, text: str, field_name: str) -> "CodedEnum":
        wanted = (text or "").strip()
        for member in cls:
            if wanted.lower() == member.code or wanted in (member.label, *member.synonyms):
                return member
        choices = "、".join(m.label for m in cls)
        raise UsageError(f"{field_name} 的取值“{text}”无法识别，可选：{choices}")

    @classmethod
    def choices(cls) -> str:
        return "|".join(m.label for m in cls)


class Source(CodedEnum):
    """立项依据."""

    LEADER_INSTRUCTION = ("leader_instruction", "领导批示", "批示", "领导交办")
    MEETING_DECISION = ("meeting_decision", "会议议定", "会议议定事项", "会议")
    DOCUMENT = ("document", "文件部署", "文件")
    WORK_REPORT = ("work_report", "政府工作报告", "工作报告")
    PROPOSAL = ("proposal", "建议提案", "建议", "提案", "人大建议", "政协提案")
    PUBLIC_REQUEST = ("public_request", "群众诉求", "12345", "12345热线", "互联网+督查", "网民留言")
    INSPECTION_FINDING = ("inspection_finding", "督查发现问题", "督查发现")
    OTHER = ("other", "其他")


class ItemClass(CodedEnum):
    """事项类别 — decides the feedback cadence (DOMAIN.md §4, 003:L469)."""

    QUICK = ("quick", "速办", "速办速报", "速办速报类")
    PLAN = ("plan", "方案", "方案意见", "方案意见类")
    KEY = ("key", "重点", "重点任务", "重点任务类")
    ROUTINE = ("routine", "常规", "其他", "常规类")


class Status(CodedEnum):
    """State of an assignment (事项 × 单位), and the roll-up state of an item."""

    PENDING = ("pending", "待交办")
    OPEN = ("open", "办理中")
    PAUSED = ("paused", "暂缓", "挂起")
    DONE = ("done", "待审核", "已办结", "办结待审核")
    CLOSED = ("closed", "已销号", "销号")
    CANCELLED = ("cancelled", "已撤销", "撤销")
    MERGED = ("merged", "已合并", "合并")  # duban merge: the item went into another (issue #17)

    @property
    def is_live(self) -> bool:
        """Still being worked on (counts as 'in the ledger's current work')."""
        return self in (Status.PENDING, Status.OPEN, Status.PAUSED, Status.DONE)


class Light(CodedEnum):
    """亮灯. ``None`` stands for grey (no light)."""

    RED = ("red", "红灯", "红", "逾期")
    YELLOW = ("yellow", "黄灯", "黄", "临期")
    BLUE = ("blue", "蓝灯", "蓝")
    GREEN = ("green", "绿灯", "绿", "正常")

    def __init__(self, code: str, *_labels: str):
        self.severity = {"red": 3, "yellow": 2, "blue": 1, "green": 0}[code]


class Role(CodedEnum):
    LEAD = ("lead", "牵头", "牵头单位")
    CO = ("co", "配合", "配合单位", "协办")


class EventKind(CodedEnum):
    CREATED = ("created", "立项")
    ASSIGNED = ("assigned", "交办")
    SIGNED = ("signed", "签收")
    FEEDBACK = ("feedback", "进展反馈")
    REMINDED = ("reminded", "催办")
    ESCALATED = ("escalated", "督办升级")
    EXTENDED = ("extended", "延期")
    PAUSED = ("paused", "暂缓")
    RESUMED = ("resumed", "恢复办理")
    CLOSED = ("closed", "办结")
    REVIEWED = ("reviewed", "审核通过")
    RETURNED = ("returned", "退回")
    CANCELLED = ("cancelled", "撤销")
    REOPENED = ("reopened", "重启")
    REVISITED = ("revisited", "回访")
    IMPORTED = ("imported", "导入")
    MILESTONE_ADDED = ("milestone_added", "设定节点")
    MILESTONE_DONE = ("milestone_done", "完成节点")
    ISSUED = ("issued", "出具文书")  # a 任务交办单 or 任务销号单 with its 文号 (duban notice)
    DUE_RECOMPUTED = ("due_recomputed", "重算时限")
    AMENDED = ("amended", "修改")
    EXTENSION_REQUESTED = ("extension_requested", "申请延期")
    EXTENSION_GRANTED = ("extension_granted", "同意延期")
    EXTENSION_DENIED = ("extension_denied", "不同意延期")
    MERGED = ("merged", "合并")
    UNDONE = ("undone", "撤回")  # duban undo: voids the events of the latest command (issue #17)


class EscalationKind(CodedEnum):
    SUPERVISION_NOTICE = ("notice", "督办单", "督办函")
    LISTED = ("listed", "挂牌督办", "挂牌")
    INTERVIEW = ("interview", "约谈")
    CRITICISM = ("criticism", "通报批评")
    PRAISE = ("praise", "通报表扬")
    ACCOUNTABILITY = ("accountability", "问责")


class Satisfaction(CodedEnum):
    SATISFIED = ("satisfied", "满意")
    BASICALLY = ("basically", "基本满意")
    UNSATISFIED = ("unsatisfied", "不满意")


class Channel(CodedEnum):
    """How a 催办 reached the unit (DOMAIN.md §6: each 催办 records its channel)."""

    WRITTEN = ("written", "书面")
    PHONE = ("phone", "电话")
    SMS = ("sms", "短信")
    SYSTEM = ("system", "系统")


# The notice each escalation level produces (DOMAIN.md §6; seeds/003:L547 预警提醒单, seeds/002 梯次加压).
NOTICE_KINDS = {0: "提醒函", 1: "催办通知", 2: "督办单", 3: "挂牌督办通知"}


@dataclass(frozen=True)
class Unit:
    id: int
    name: str
    aliases: tuple[str, ...] = ()
    parent: str | None = None
    contact: str | None = None
    phone: str | None = None


@dataclass(slots=True)
class Assignment:
    """One unit's share of an item, as stored (the projection of the event log)."""

    unit_id: int
    unit: str
    role: Role
    status: Status
    assigned_on: dt.date | None
    due: dt.date | None
    due_basis: str = "given"  # given | calendar | estimated (weekends in older ledgers): computed past the data
    person: str | None = None
    signed_on: dt.date | None = None
    last_feedback: dt.date | None = None
    percent: int | None = None
    closed_on: dt.date | None = None
    result: str | None = None
    extensions: int = 0
    original_due: dt.date | None = None
    restarted_on: dt.date | None = None  # resumed, reopened or returned: the feedback clock restarts
    within: int | None = None  # the N of "N个工作日" the deadline counts from assigned_on (None: a given date)
    progress_since: dt.date | None = None  # reopened: the 序时 baseline starts here, not at the 交办


@dataclass(slots=True)
class Milestone:
    """节点: a dated intermediate target of an item; a missed one lights red."""

    seq: int
    due: dt.date
    title: str
    done_on: dt.date | None = None


@dataclass(slots=True)
class Item:
    """An item with its assignments; ``status`` is the roll-up of the assignments."""

    id: int
    title: str
    source: Source
    ref: str | None
    leader: str | None
    klass: ItemClass
    content: str | None
    standard: str | None
    created: dt.date
    status: Status
    due: dt.date | None  # the lead unit's deadline (or the planned one while pending)
    within: int | None = None  # planned "N个工作日" while pending
    assignments: list[Assignment] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)
    preset: str | None = None  # a rules preset applied to this item only (create/assign --preset 11350)
    parent: int | None = None  # 分解: the item this sub-item was split from (create --parent)

    @property
    def lead(self) -> Assignment | None:
        return next((a for a in self.assignments if a.role is Role.LEAD), None)

    @property
    def co(self) -> list[Assignment]:
        return [a for a in self.assignments if a.role is Role.CO]


@dataclass(frozen=True, slots=True)
class Finding:
    """One reason for a colour: what was checked, the colour it gives, the words and numbers."""

    kind: str  # overdue | milestone | near_due | feedback_late | behind | on_track | no_due | grey
    light: Light | None
    text: str


@dataclass(frozen=True, slots=True)
class LightResult:
    light: Light | None
    reason: str
    workdays_left: int | None = None
    overdue_workdays: int | None = None
    findings: tuple[Finding, ...] = ()
    feedback_due: dt.date | None = None
    feedback_late_workdays: int = 0
    late_workdays: int = 0  # the longest lateness: past the deadline or past a missed milestone
    # read from a stored schedule (issue #16), which keeps no findings: their kinds (see kinds_found)
    kinds: frozenset[str] | None = None

    def kinds_found(self) -> frozenset[str]:
        """The kinds of its findings, with ``due_today`` beside ``near_due`` when the deadline is today
        (今日到期, not merely no working day left before it)."""
        if self.kinds is not None:
            return self.kinds
        found = {f.kind for f in self.findings}
        if any(f.kind == "near_due" and f.text.startswith("今日到期") for f in self.findings):
            found.add("due_today")
        return frozenset(found)


@dataclass(frozen=True)
class Escalation:
    """梯次加压: the level an assignment has reached (0 提醒 … 3 挂牌督办) and why."""

    level: int | None
    reason: str

    @property
    def label(self) -> str | None:
        return None if self.level is None else LEVEL_LABELS[self.level]


LEVEL_LABELS = {0: "提醒", 1: "催办", 2: "督办单", 3: "挂牌督办"}


@dataclass(slots=True)
class ItemView:
    """What list/show display: the item plus its computed light."""

    item: Item
    light: LightResult
    last_feedback: dt.date | None
    due_uncertain: bool = False


@dataclass(frozen=True)
class Event:
    id: int
    item_id: int
    at: dt.date
    kind: EventKind
    unit_id: int | None
    unit: str | None
    detail: str
    data: dict


#: What ``duban edit`` may correct (the item's own fields, not its work): key → Chinese name.
EDITABLE_FIELDS = {"title": "事项名称", "ref": "文号", "leader": "牵头领导", "class": "类别", "source": "立项依据",
                   "content": "办理内容", "standard": "完成标准"}
