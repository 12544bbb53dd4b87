"""The item commands: ``init``, the life of an item (``create`` … ``escalate``) and looking
(``list``, ``show``, ``log``).

Each command parses its options, makes one call on the ledger and renders the result.
No SQL and no rule logic here.
"""

# No ``from __future__ import annotations``: Typer evaluates the commands' annotations when it
# builds them, and from strings that takes a third longer (~5 ms of ``duban --help``).

from typing import Any, Optional

import typer

from .. import render
from ..errors import UsageError
from ..models import EscalationKind, ItemClass, Light, Satisfaction, Source
from ..render import Format
from .common import (
    ALL_OPTION,
    DUE_BEFORE_OPTION,
    LIGHT_OPTION,
    SOURCE_OPTION,
    STATUS_OPTION,
    UNIT_OPTION,
    guarded,
    ledger,
    list_filter,
    parse_date,
    parse_deadline,
    parse_due,
    parse_percent,
    parse_within,
    state,
)

app = typer.Typer()

FORMAT_HELP = "输出格式：table（表格）、json 或 csv"
PRESET_HELP = ("只对本事项适用的规则预设：11350（主要领导交办事项：3个工作日内首次反馈、5个工作日办结，"
               "seeds/003:L455）；整本台账的规则用 duban rules preset")


def _show_item(item_id: int, fmt: Format = Format.table) -> None:
    led = ledger()
    view = led.item(item_id)
    record = render.item_record(view)
    if fmt is Format.json:
        render.write_json(record)
    else:
        said = record["light_reason"] if record["light"] is None else f"{record['status_label']}，{record['light_reason']}"
        render.console().print(f"事项 #{record['id']}：{said}")


def parse_milestone(text: str) -> tuple:
    """“2026-12-15:完成招标” → (date, title)."""
    for sep in (":", "："):
        if sep in text:
            day, title = text.split(sep, 1)
            if title.strip():
                return parse_deadline(day, "--milestone"), title.strip()
    raise UsageError(f"--milestone 应为“日期:节点内容”，如 2026-12-15:完成招标，收到“{text}”")


def _within_or_due(due: Optional[str], within: Optional[str], long_term: bool = True) -> tuple:
    """(date, N, 长期) from --due and --within; --due may be 长期 where ``long_term`` allows it."""
    if due is not None and within is not None:
        raise UsageError("--due 与 --within 只能给出一个")
    given = parse_due(due, "--due", long_term=long_term)
    return (given.day if given else None), parse_within(within), bool(given and given.long_term)


DUE_HELP = "办理时限：2026-12-31、2026年12月31日、12月底前、年底前、上半年，或 长期（不设时限）"
WITHIN_HELP = "办理时限：交办后 N 个工作日（1–1000）"


# -- init -----------------------------------------------------------------------------------


@app.command()
@guarded
def init() -> None:
    """创建台账文件（已存在时只做升级，绝不清空数据）。

    示例：duban --db 台账.db init
    """
    st = state()
    existed = st.db_path.exists()
    led = st.open(create=True)
    if existed:
        render.console().print(f"台账已存在：{st.db_path}（已检查并升级结构，数据未改动）")
    else:
        render.console().print(f"已创建台账：{st.db_path}")
    del led


# -- the life of an item --------------------------------------------------------------------


@app.command()
@guarded
def create(
    title: str = typer.Argument(..., metavar="事项名称", help="事项名称"),
    source: Optional[str] = typer.Option(None, "--source", help=f"立项依据（必填；分解子事项时沿用上级）：{Source.choices()}"),
    ref: Optional[str] = typer.Option(None, "--ref", help="文号 / 批示件编号"),
    leader: Optional[str] = typer.Option(None, "--leader", help="牵头领导"),
    klass: Optional[str] = typer.Option(None, "--class", help=f"类别：{ItemClass.choices()}（决定反馈频次；默认 常规）"),
    content: Optional[str] = typer.Option(None, "--content", help="办理内容 / 批示原文"),
    standard: Optional[str] = typer.Option(None, "--standard", help="完成标准"),
    lead: Optional[str] = typer.Option(None, "--lead", help="牵头单位（给出即同时交办）"),
    co: list[str] = typer.Option([], "--co", help="配合单位，可重复"),
    due: Optional[str] = typer.Option(None, "--due", help=DUE_HELP),
    within: Optional[str] = typer.Option(None, "--within", help=WITHIN_HELP),
    person: Optional[str] = typer.Option(None, "--person", help="牵头单位责任人"),
    milestone: list[str] = typer.Option([], "--milestone", help="节点“日期:内容”，可重复，如 2026-12-15:完成招标"),
    parent: Optional[int] = typer.Option(None, "--parent", help="分解：作为该事项的子事项（立项依据、文号、领导、类别沿用上级）"),
    preset: Optional[str] = typer.Option(None, "--preset", help=PRESET_HELP),
) -> None:
    """立项：登记一个督办事项，打印新事项编号。

    给出 --lead 时同时交办；未给时限时按设置 default_due_workdays（默认15个工作日）。
    --parent 把一个批示或任务分解为各单位的子事项：上级事项的亮灯取它自己和在办子事项中最差的。
    --preset 11350 只对本事项适用“11350”：未给时限时5个工作日办结、交办后3个工作日内首次反馈。

    示例：duban create "推进城区主干道综合整治" --source 领导批示 --ref "市委批示〔2026〕12号"
    --lead 市交通运输局 --co 市财政局 --within 10；duban create "人民路段整治" --parent 1 --lead 市住建局 --due 12月底前
    """
    due_date, within, long_term = _within_or_due(due, within)
    led = ledger()
    above = led.item(parent).item if parent is not None else None
    if source is None and above is None:
        raise UsageError("缺少选项：--source")
    view = led.create(
        title, Source.parse(source, "--source") if source is not None else above.source,
        ref=ref if ref is not None or above is None else above.ref,
        leader=leader if leader is not None or above is None else above.leader,
        klass=ItemClass.parse(klass, "--class") if klass is not None else (above.klass if above else ItemClass.ROUTINE),
        content=content, standard=standard, lead=lead, co=co, due=due_date, within=within, person=person,
        milestones=[parse_milestone(m) for m in milestone], long_term=long_term, parent=parent, preset=preset,
    )
    _note_likely_duplicate(led, view.item.id)
    typer.echo(view.item.id)


def _note_likely_duplicate(led: Any, item_id: int) -> None:
    """The same 立项 twice (a command run again, a 批示 registered by two people): say so at once,
    with the rule ``duban check`` applies (same lead unit, similar title), rather than weeks later."""
    from ..ledger_clerk import likely_duplicates

    rows = led.db.execute(
        """SELECT i.id, i.title, a.unit_id, i.parent_id FROM items i
           JOIN assignments a ON a.item_id = i.id AND a.role = 'lead'
           WHERE i.status IN ('open', 'paused', 'done') AND a.unit_id =
                 (SELECT unit_id FROM assignments WHERE item_id = ? AND role = 'lead')""", [item_id]).fetchall()
    titles = {r[0]: r[1] for r in rows}
    for first, second in likely_duplicates(rows):
        if item_id in (first, second):
            other = first if second == item_id else second
            led.warnings.append(f"注意：新事项 #{item_id} 与事项 #{other}“{titles[other]}”牵头单位相同、名称相近，"
                                f"可能重复立项；如为同一事由，可用 duban merge {min(first, second)} "
                                f"{max(first, second)} --reason 理由 合并")


@app.command()
@guarded
def assign(
    item_id: int = typer.Argument(..., metavar="ID", help="事项编号"),
    lead: Optional[str] = typer.Option(None, "--lead", help="牵头单位"),
    co: list[str] = typer.Option([], "--co", help="配合单位，可重复"),
    due: Optional[str] = typer.Option(None, "--due", help=DUE_HELP),
    within: Optional[str] = typer.Option(None, "--within", help=WITHIN_HELP),
    person: Optional[str] = typer.Option(None, "--person", help="牵头单位责任人"),
    preset: Optional[str] = typer.Option(None, "--preset", help=PRESET_HELP),
) -> None:
    """交办：把待交办事项交给牵头单位（及配合单位），或给已交办事项增加配合单位。

    示例：duban assign 12 --lead 市住建局 --co 市自然资源局 --within 15；duban assign 13 --lead 市住建局 --preset 11350
    """
    due_date, within, long_term = _within_or_due(due, within)
    ledger().assign(item_id, lead, co, due=due_date, within=within, person=person, long_term=long_term, preset=preset)
    _show_item(item_id)


@app.command()
@guarded
def sign(
    item_id: int = typer.Argument(..., metavar="ID", help="事项编号"),
    unit: str = typer.Option(..., "--unit", help="签收单位"),
) -> None:
    """签收：责任单位确认收到交办。交办后 sign_within_workdays（默认2）个工作日内未签收也未反馈的亮黄灯。

    示例：duban sign 12 --unit 市住建局
    """
    ledger().sign(item_id, unit)
    _show_item(item_id)


@app.command()
@guarded
def feedback(
    item_id: int = typer.Argument(..., metavar="ID", help="事项编号"),
    text: str = typer.Argument(..., metavar="进展情况", help="进展情况"),
    unit: str = typer.Option(..., "--unit", help="反馈单位"),
    percent: Optional[str] = typer.Option(None, "--percent", help="完成百分比 0–100（可写 60 或 60%）"),
) -> None:
    """进展反馈：记录责任单位报送的办理进展。

    示例：duban feedback 12 --unit 市住建局 "已完成招标，正在施工" --percent 60
    """
    ledger().feedback(item_id, unit, text, parse_percent(percent))
    _show_item(item_id)


@app.command()
@guarded
def extend(
    item_id: int = typer.Argument(..., metavar="ID", help="事项编号"),
    to: Optional[str] = typer.Option(None, "--to", help="新的办理时限（如 2026-12-31、12月底前、年底前）"),
    reason: Optional[str] = typer.Option(None, "--reason", help="延期理由"),
    unit: Optional[str] = typer.Option(None, "--unit", help="只为该单位延期（默认所有在办单位）"),
    grant: bool = typer.Option(False, "--grant", help="同意单位的延期申请（按申请的日期和理由延期）"),
    deny: Optional[str] = typer.Option(None, "--deny", metavar="REASON", help="不同意单位的延期申请，写明理由"),
) -> None:
    """延期：推迟办理时限，原时限保留在记录中；或答复单位在反馈表中提出的延期申请。

    示例：duban extend 12 --to 2026-12-31 --reason "需等待省级批复"；duban extend 12 --grant --unit 市财政局；
    duban extend 12 --deny "工期可压缩" （待批的申请：duban requests）
    """
    answers = sum([grant, deny is not None])
    if answers > 1:
        raise UsageError("--grant 与 --deny 只能给出一个")
    if answers:
        if to is not None or reason is not None:
            raise UsageError("答复延期申请（--grant/--deny）时不用 --to 和 --reason：日期和理由取自申请")
        from .. import extension_requests

        if grant:
            extension_requests.grant(ledger(), item_id, unit)
        else:
            extension_requests.deny(ledger(), item_id, deny or "", unit)
        _show_item(item_id)
        return
    if to is None or reason is None:
        raise UsageError("延期须给出 --to 新时限 和 --reason 理由（答复延期申请用 --grant 或 --deny 理由）")
    ledger().extend(item_id, parse_deadline(to, "--to"), reason, unit)
    _show_item(item_id)


@app.command()
@guarded
def close(
    item_id: int = typer.Argument(..., metavar="ID", help="事项编号"),
    result: str = typer.Option(..., "--result", help="办结情况：谁办理、怎么办、办到什么程度、结果如何"),
    unit: Optional[str] = typer.Option(None, "--unit", help="只办结该单位（默认所有在办单位）"),
) -> None:
    """办结：记录办结情况；未开启审核时同时销号，开启审核（review_required）时转为待审核。

    示例：duban close 12 --result "整治完成，已通过验收"
    """
    ledger().close(item_id, result, unit)
    _show_item(item_id)


@app.command()
@guarded
def review(
    item_id: int = typer.Argument(..., metavar="ID", help="事项编号"),
    approve: bool = typer.Option(False, "--approve", help="审核通过并销号"),
    return_reason: Optional[str] = typer.Option(None, "--return", help="退回重办，并写明理由"),
    unit: Optional[str] = typer.Option(None, "--unit", help="只审核该单位（默认所有待审核单位）"),
) -> None:
    """审核：对办结报告“四查”后通过销号，或退回重办。

    示例：duban review 12 --approve；duban review 12 --return "未附验收材料"
    """
    if approve == (return_reason is not None):
        raise UsageError("请在 --approve 与 --return 理由 中选择一个")
    ledger().review(item_id, approve, return_reason, unit)
    _show_item(item_id)


@app.command()
@guarded
def pause(
    item_id: int = typer.Argument(..., metavar="ID", help="事项编号"),
    reason: str = typer.Option(..., "--reason", help="暂缓理由，如 等待领导研究会商"),
    unit: Optional[str] = typer.Option(None, "--unit", help="只暂缓该单位"),
) -> None:
    """暂缓：事项挂起（如等待领导研究会商），暂缓期间不亮灯、停止计时（恢复办理时办理时限相应顺延）。

    示例：duban pause 12 --reason "待市政府常务会研究"
    """
    ledger().pause(item_id, reason, unit)
    _show_item(item_id)


@app.command()
@guarded
def resume(
    item_id: int = typer.Argument(..., metavar="ID", help="事项编号"),
    unit: Optional[str] = typer.Option(None, "--unit", help="只恢复该单位"),
    note: Optional[str] = typer.Option(None, "--note", help="说明"),
    keep_due: bool = typer.Option(False, "--keep-due", help="办理时限不顺延"),
    due: Optional[str] = typer.Option(None, "--due", help="新的办理时限（如 2026-12-31、12月底前）"),
    within: Optional[str] = typer.Option(None, "--within", help="新的时限：今天起 N 个工作日（1–1000）"),
) -> None:
    """恢复办理：结束暂缓。暂缓期间停止计时：办理时限按暂缓的工作日数顺延（暂缓日之后至恢复日，含恢复日）。

    --keep-due 保留原时限；--due / --within 另定时限；设置 pause_extends_due 为 false 时不顺延。
    顺延的天数和新时限记入恢复办理记录，show 和 log 可见，如“暂缓9个工作日，时限顺延至2026-12-08”。

    示例：duban resume 12 --note "常务会已研究同意"；duban resume 12 --keep-due；duban resume 12 --within 10
    """
    due_date, within, _ = _within_or_due(due, within, long_term=False)
    if keep_due and (due_date is not None or within is not None):
        raise UsageError("--keep-due 与 --due/--within 只能给出一个")
    ledger().resume(item_id, unit, note, keep_due=keep_due, due=due_date, within=within)
    _show_item(item_id)


@app.command()
@guarded
def cancel(
    item_id: int = typer.Argument(..., metavar="ID", help="事项编号"),
    reason: str = typer.Option(..., "--reason", help="撤销理由"),
    unit: Optional[str] = typer.Option(None, "--unit", help="只撤销该配合单位的交办"),
) -> None:
    """撤销：事项不再需要办理（或撤回某配合单位）。

    示例：duban cancel 12 --reason "上级已统一部署，不再单独督办"
    """
    ledger().cancel(item_id, reason, unit)
    _show_item(item_id)


@app.command()
@guarded
def reopen(
    item_id: int = typer.Argument(..., metavar="ID", help="事项编号"),
    reason: str = typer.Option(..., "--reason", help="重启理由，如 问题反弹"),
    unit: Optional[str] = typer.Option(None, "--unit", help="只重启该单位"),
    due: Optional[str] = typer.Option(None, "--due", help="新的办理时限（如 2026-12-31、12月底前）"),
    within: Optional[str] = typer.Option(None, "--within", help="新的时限：N 个工作日（1–1000）"),
) -> None:
    """重启：已销号事项出现反弹，重新办理。原完成百分比清空，序时进度从重启日起算。

    示例：duban reopen 12 --reason "回头看发现问题反弹" --within 10
    """
    due_date, within, _ = _within_or_due(due, within, long_term=False)
    ledger().reopen(item_id, reason, unit, due_date, within)
    _show_item(item_id)


@app.command()
@guarded
def revisit(
    item_id: int = typer.Argument(..., metavar="ID", help="事项编号"),
    satisfaction: str = typer.Option(..., "--satisfaction", help=f"满意度：{Satisfaction.choices()}"),
    note: Optional[str] = typer.Option(None, "--note", help="回访情况"),
) -> None:
    """回访（回头看）：销号后回访，记录满意度。

    示例：duban revisit 12 --satisfaction 满意 --note "电话回访群众，问题未反弹"
    """
    ledger().revisit(item_id, Satisfaction.parse(satisfaction, "--satisfaction"), note)
    _show_item(item_id)


@app.command()
@guarded
def escalate(
    item_id: int = typer.Argument(..., metavar="ID", help="事项编号"),
    kind: str = typer.Option(..., "--kind", help=f"方式：{EscalationKind.choices()}"),
    unit: Optional[str] = typer.Option(None, "--unit", help="针对的单位"),
    note: Optional[str] = typer.Option(None, "--note", help="说明"),
) -> None:
    """督办升级：记录督办单、挂牌督办、约谈、通报批评、通报表扬或问责。

    示例：duban escalate 12 --kind 督办单 --unit 市住建局 --note "逾期未反馈"
    """
    ledger().escalate(item_id, EscalationKind.parse(kind, "--kind"), unit, note)
    _show_item(item_id)


# -- looking --------------------------------------------------------------------------------


SORT_HELP = ("排序：light（表格的默认：红灯在前、逾期久的在前，其余按办理时限，临期置顶）、due（按办理时限）、"
             "id（按编号；json、csv 的默认，便于脚本）")


@app.command("list")
@guarded
def list_items(
    light: Optional[str] = LIGHT_OPTION,
    unit: Optional[str] = UNIT_OPTION,
    source: Optional[str] = SOURCE_OPTION,
    status: Optional[str] = STATUS_OPTION,
    due_before: Optional[str] = DUE_BEFORE_OPTION,
    include_all: bool = ALL_OPTION,
    grep: Optional[str] = typer.Option(None, "--grep", help="关键词：在事项名称、文号、领导、内容、单位和节点中查找（多个词用空格分开，须全部出现）"),
    leader: Optional[str] = typer.Option(None, "--leader", help="按牵头领导筛选，如 刘市长"),
    ref: Optional[str] = typer.Option(None, "--ref", help="按文号筛选（包含即可，〔〕[]（）视为相同），如 〔2026〕12号"),
    klass: Optional[str] = typer.Option(None, "--class", help=f"按类别筛选：{ItemClass.choices()}"),
    sort: Optional[str] = typer.Option(None, "--sort", help=SORT_HELP),
    tree: bool = typer.Option(False, "--tree", help="分解的子事项紧随其上级事项列出（表格中以 └ 标出）"),
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP),
) -> None:
    """列出事项及亮灯。默认只列在办事项（待交办、办理中、暂缓、待审核），红灯在前，其余按办理时限。

    示例：duban list --light red --unit 市住建局；duban list --grep 道路 --leader 刘市长；
    duban list --ref 〔2026〕12号 --class 重点 --sort due；duban list --tree；duban list --all --format json
    """
    from dataclasses import replace

    from ..ledger_clerk import SORTS

    wanted = (sort or ("light" if fmt is Format.table else "id")).strip().lower()
    if wanted not in SORTS:
        raise UsageError(f"--sort 的取值“{sort}”无法识别，可选：{'、'.join(SORTS)}")
    flt = replace(list_filter(light, unit, source, status, due_before, include_all), grep=grep, leader=leader,
                  ref=ref, klass=ItemClass.parse(klass, "--class") if klass else None, sort=wanted)
    records = [render.item_record(v) for v in ledger().list_items(flt, scheduled=True)]
    nested: set[int] = set()
    if tree:
        from ..ledger_clerk import as_tree

        records, nested = as_tree(records)
    render.emit(fmt, records, lambda: render.items_table(records, title=f"督办事项（{len(records)}项）", nested=nested),
                empty="没有符合条件的事项", keys=render.ITEM_KEYS)


@app.command()
@guarded
def show(
    item_id: int = typer.Argument(..., metavar="ID", help="事项编号"),
    explain: bool = typer.Option(False, "--explain", help="说明每个单位为何亮该颜色的灯"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="按记录还原该日期时的事项状态（只用该日及以前的记录和当时有效的设置）"),
    fmt: Format = typer.Option(Format.table, "--format", help="输出格式：table 或 json"),
) -> None:
    """查看一个事项的全部信息、各责任单位情况、节点和最近记录。

    --explain 逐条说明每个单位为何亮该颜色的灯、处于哪一催办等级，并给出天数。

    示例：duban show 12 --explain；duban show 12 --as-of 2026-11-03
    """
    led = ledger()
    day = parse_date(as_of, "--as-of")
    view = led.item_as_of(item_id, day) if day else led.scheduled_item(item_id)  # today's: read from the schedules
    when = day or led.today
    item = view.item
    from ..ledger_clerk import merged_from, merged_into

    record = {**render.item_record(view), "content": item.content, "standard": item.standard, "preset": item.preset,
              "children": [render.item_record(c) for c in led.children(item_id, day)],
              "merged_into": merged_into(led, item_id),
              "merged_from": [render.item_record(led.item(i)) for i in merged_from(led, item_id)]}
    shown = None if day else led.shown_lights(item)  # today's, read from the schedules where usable (issue #16)
    assignments = [render.assignment_record(a, *shown[a.unit_id]) if shown and a.unit_id in shown else
                   render.assignment_record(a, led.assignment_light(item, a, when), led.escalation(item, a, when))
                   for a in item.assignments]
    milestones = [render.milestone_record(m, when) for m in item.milestones]
    from .. import extension_requests

    requests = [] if day else [r.record() for r in extension_requests.pending(led, item_id)]
    if fmt is Format.json:
        render.write_json({**record, "assignments": assignments, "milestones": milestones,
                           "extension_requests": requests})
        return
    if fmt is Format.csv:
        raise UsageError("show 只支持 table 或 json 格式")
    events = [render.event_record(e) for e in led.events(item_id, day)][-8:]
    if day:
        render.console().print(f"（按记录还原至 {day.isoformat()}）")
    render.item_detail(record, assignments, milestones, events, explain_lines(assignments) if explain else None)
    for r in requests:
        render.console().print(f"待批延期申请：“{r['unit']}”申请延期至 {r['to']}，理由：{r['reason']}"
                               f"（{r['requested_on']} 提出；duban extend {item_id} --grant --unit {r['unit']} 同意，"
                               f"--deny 理由 不同意）")


def explain_lines(assignments: list[dict]) -> list[str]:
    """Why each unit has its light and escalation level, in Chinese with the numbers."""
    lines = []
    for a in assignments:
        role = "牵头" if a["role"] == "lead" else "配合"
        colour = Light(a["light"]).label if a["light"] else "不亮灯"
        lines.append(f"· {a['unit']}（{role}）：{colour}")
        for f in a["findings"]:
            mark = Light(f["light"]).label if f["light"] else "—"
            lines.append(f"    [{mark}] {f['text']}")
        if a["level"] is not None:
            lines.append(f"    催办等级 {a['level']}（{a['level_label']}）：{a['level_reason']}")
    return lines


@app.command()
@guarded
def log(
    item_id: int = typer.Argument(..., metavar="ID", help="事项编号"),
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP),
) -> None:
    """事项的全部记录（留痕），按时间先后；撤回的记录仍列出，标“已撤回”，并列出撤回它的记录。

    示例：duban log 12；duban log 12 --format json
    """
    from .. import undo

    records = []
    for event, voided in undo.item_log(ledger(), item_id):  # taken back (duban undo): kept, marked
        record = {**render.event_record(event), "voided": voided}
        if voided:
            record["kind_label"] += "（已撤回）"
        records.append(record)
    render.emit(fmt, records, lambda: render.events_table(records, title=f"事项 #{item_id} 的记录"),
                keys=(*render.EVENT_KEYS, "voided"))


def register(root: typer.Typer) -> None:
    """Add the item commands to the root app."""
    root.registered_commands.extend(app.registered_commands)
