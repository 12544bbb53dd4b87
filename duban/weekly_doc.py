"""The weekly 督查专报 as a Word document, laid out the way an office issues one (GB/T 9704-2012 as it
applies to a 简报).

Masthead 督查专报 in red with 第N期, the issuing office and date over a red rule; the title on two
lines (never a lone “日）”); then 一、总体情况 二、亮灯情况 三、各单位办理情况 四、存在问题 五、下步工作;
the 版记 at the foot of the last page between black rules. A4, 公文 margins, “— N —” page numbers on
the outer side; dates in running text as 2026年12月15日; table headers broken only between words,
columns wide enough for a date, rows never split across pages and the header row repeated.
方正小标宋简体 / 黑体 / 楷体_GB2312 / 仿宋_GB2312.
"""

from __future__ import annotations

from pathlib import Path

from . import docx_util as d
from .models import Light
from .weekly import Weekly, cn_date
from .rules import percent_text as pct

RED = (0xC0, 0, 0)
LIT_LIMIT = 30  # a 专报 lists the worst items; the companion 台账 has them all


def _heading(doc, text: str) -> None:
    p = d.paragraph(doc, text, font=d.HEADING_FONT, indent=True, space_before=6)
    p.paragraph_format.keep_with_next = True  # never the last line of a page


def _body(doc, text: str, lead: str | None = None) -> None:
    p = d.paragraph(doc, "", indent=True, align="justify")
    if lead:
        d.add_run(p, lead, font=d.KAI_FONT, bold=True)
    d.add_run(p, text)


def overview_text(w: Weekly) -> str:
    o, lights = w.overall, w.lights
    year = w.year
    lit = [f"红灯{lights['red']}件", f"黄灯{lights['yellow']}件"]
    if lights["blue"]:
        lit.append(f"蓝灯{lights['blue']}件")
    lit.append(f"绿灯{lights['green']}件")
    if w.paused:
        lit.append(f"暂缓{w.paused}件")
    return (f"{year}年以来，{w.office}共督办事项{o.total}件，已办结{o.closed}件，办结率{pct(o.completion_rate)}；"
            f"按期办结{o.closed_on_time}件，按期办结率{pct(o.on_time_rate)}；序时推进率{pct(o.progress_rate)}。"
            f"本周（{days_text(w)}）"
            f"新增督办事项{w.new_items}件，办结{w.closed_this_week}件。截至{cn_date(w.period.end)}，"
            f"在办事项{o.open}件，其中{'、'.join(lit)}。")


def days_text(w: Weekly, sep: str = "至", year: bool = True) -> str:
    """“2026年11月16日至2026年11月20日” (running text), “11月16日—11月20日” (the title: ``year`` False),
    or one date when the week so far is a single day."""
    start, end = w.period.start, w.period.end

    def day(d):
        return cn_date(d) if year else f"{d.month}月{d.day}日"

    return day(end) if start == end else f"{day(start)}{sep}{day(end)}"


# (header, width in mm): headers break only between words; each column fits its longest unbroken value
# (a date, 挂牌督办, 100.0%, 市住房和城乡建设局) at 五号 — the widths add up to the 156 mm of the text.
LIT_COLUMNS = [("序号", 12), ("编号", 14), ("督办事项", 35), ("亮灯", 12), ("责任单位", 24), ("办理\n时限", 23.5),
               ("情况", 20.5), ("督办\n级别", 15)]
UNIT_COLUMNS = [("排名", 12), ("单位", 42), ("计公分", 15.5), ("牵头\n事项", 12.5), ("已办结", 15.5),
                ("办结率", 15.5), ("按期\n办结率", 15.5), ("逾期", 12), ("序时\n推进率", 15.5)]
TABLE_SIZE = 10.5


def chase_text(w: Weekly) -> str:
    e = w.week_stats.events
    parts = [f"催办{e['reminders']}次", f"下达督办单{e['notices']}份", f"挂牌督办{e['listed']}件"]
    if e["interviews"]:
        parts.append(f"约谈{e['interviews']}次")
    if e["extensions"]:
        parts.append(f"批准延期{e['extensions']}件")
    if e["revisits"]:
        parts.append(f"回访{e['revisits']}件")
    return "本周" + "，".join(parts) + "。"


def write(w: Weekly, path: Path) -> Path:
    doc = d.new_document()
    d.paragraph(doc, "督查专报", font=d.TITLE_FONT, size=36, align="center", color=RED, line=None,
                space_before=6, space_after=6)
    d.paragraph(doc, f"{w.year}年第{w.issue_no}期", align="center", line=None, space_after=6)
    p = d.paragraph(doc, "", line=None)
    d.add_run(p, w.office, font=d.BODY_FONT)
    d.add_run(p, "\t" + d.cn_date(w.issued), font=d.BODY_FONT)
    _right_tab(p)
    d.red_rule(doc)
    d.line_break_title(doc, ["督办事项办理情况通报", f"（{days_text(w, '—', year=False)}）"])

    _heading(doc, "一、总体情况")
    _body(doc, overview_text(w))
    _body(doc, chase_text(w))
    if w.burden:
        _body(doc, w.burden)

    _heading(doc, "二、亮灯情况")
    red = [x for x in w.lit if x.light is Light.RED]
    others = [x for x in w.lit if x.light is not Light.RED]
    if not w.lit:
        _body(doc, "本周没有亮红灯、黄灯的事项。")
    else:
        shown = w.lit[:LIT_LIMIT]
        more = f"以下列出其中{len(shown)}件（红灯在前、逾期最久的在前），全部亮灯事项见同期台账" \
            if len(w.lit) > len(shown) else "具体如下"
        _body(doc, f"亮红灯（逾期）事项{len(red)}件，亮黄灯（临期或进展滞后）事项{len(others)}件，{more}：")
        rows = [[str(n), f"#{x.item_id}", x.title, x.light.label, "、".join(x.units), x.due.isoformat() if x.due else "长期",
                 state_cell(x.state), (x.level or "—").replace("挂牌督办", "挂牌\n督办")]
                for n, x in enumerate(shown, 1)]
        _table(doc, LIT_COLUMNS, rows)

    _heading(doc, "三、各单位办理情况")
    q = w.quarter
    _body(doc, f"按本季度计公分排序（{cn_date(q.start)}至{cn_date(q.end)}，与季度计公分排名一致；"
               f"各项数字的统计口径：{w.year}年以来牵头办理的事项）：")
    rows = [[str(n), g.group, f"{w.scores.get(g.group, w.base_score):g}", str(g.total), str(g.closed),
             pct(g.completion_rate), pct(g.on_time_rate), str(g.overdue), pct(g.progress_rate)]
            for n, g in enumerate([g for g in w.units if g.total], 1)]
    _table(doc, UNIT_COLUMNS, rows, centre_third=True)

    _heading(doc, "四、存在问题")
    for n, text in enumerate(w.problems, 1):
        head, _, rest = text.partition("。")
        if rest:
            _body(doc, rest, lead=f"（{_cn(n)}）{head}。")
        else:
            _body(doc, text, lead=f"（{_cn(n)}）")

    _heading(doc, "五、下步工作")
    for n, text in enumerate(w.next_steps, 1):
        _body(doc, text, lead=f"（{_cn(n)}）")

    d.imprint(doc, ["报：市委、市政府主要领导，分管领导。", "送：各责任单位。"], w.office, cn_date(w.issued))
    d.outer_page_numbers(doc)
    d.save(doc, path)
    return path


# 情况 in a narrow column, broken between words: 逾期6个/工作日, 进展反馈/逾期, 落后/序时进度 (and 挂牌/督办)
_STATE_BREAKS = (("个工作日", "个\n工作日"), ("进展反馈逾期", "进展反馈\n逾期"), ("落后序时进度", "落后\n序时进度"))


def state_cell(state: str) -> str:
    for words, broken in _STATE_BREAKS:
        state = state.replace(words, broken)
    return state


def _table(doc, columns: list[tuple[str, float]], rows: list[list[str]], centre_third: bool = False) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    t = d.table(doc, [h for h, _ in columns], rows, widths_mm=[w for _, w in columns], size=TABLE_SIZE)
    d.keep_rows_whole(t)
    if centre_third:  # docx_util.table sets the third column flush left, as for a title; here it is a number
        for row in t.rows:
            row.cells[2].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER


def _cn(n: int) -> str:
    digits = "零一二三四五六七八九十"
    return digits[n] if n <= 10 else f"十{digits[n - 10]}" if n < 20 else str(n)


def _right_tab(p) -> None:
    """A right-aligned tab stop at the text edge: office on the left, date on the right, one line."""
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import Mm

    p.paragraph_format.tab_stops.add_tab_stop(Mm(156), WD_TAB_ALIGNMENT.RIGHT)
