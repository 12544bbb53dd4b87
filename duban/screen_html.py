"""The wall screen as one self-contained HTML page: inline CSS and SVG, no script, no fonts or
images fetched, every figure written into the page. Laid out for 1920×1080 (sizes in vw, so a
laptop shows the same page smaller); a meta refresh reloads it after cron has rewritten it.

Colours are the Okabe–Ito palette, told apart by colour-blind viewers, and every light is also
written out in words (红灯, 黄灯 …) beside its number; the trend lines differ in dash and marker too.
"""

from __future__ import annotations

from html import escape

from .rules import percent_text
from .screen import LIGHT_CODES, Board, Screen, UnitRow

LIGHT_NAMES = {"red": "红灯", "yellow": "黄灯", "blue": "蓝灯", "green": "绿灯", "none": "不亮灯"}
SHORT = {"red": "红", "yellow": "黄", "blue": "蓝", "green": "绿", "none": "灰"}
COLOURS = {"red": "#d55e00", "yellow": "#f0e442", "blue": "#56b4e9", "green": "#009e73", "none": "#999999"}
INK = {"red": "#fff", "yellow": "#000", "blue": "#000", "green": "#fff", "none": "#000"}
WEEKDAYS = "一二三四五六日"
MAX_UNITS = 13
MAX_UNITS_MULTI = 10  # several ledgers: each unit's ledger takes a line too
MAX_LIT = 12

CSS = """
*{box-sizing:border-box;margin:0;padding:0}
html,body{height:100%}
body{background:#0f1d2e;color:#eef2f7;font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",
"PingFang SC","WenQuanYi Micro Hei",sans-serif;font-size:clamp(12px,0.95vw,24px);line-height:1.35;
display:flex;flex-direction:column;padding:0.8vw 1vw;gap:0.7vw;min-height:100vh}
header{display:flex;align-items:baseline;justify-content:space-between;border-bottom:2px solid #3a5575;padding-bottom:0.4vw}
h1{font-size:2.1em;letter-spacing:0.1em}
.date{font-size:1.3em}
.sub{color:#b8c6d8;font-size:0.85em}
.kpis{display:flex;gap:0.6vw}
.kpi{flex:1;background:#18304b;border-radius:0.4vw;padding:0.4vw 0.7vw;border-left:0.5vw solid #3a5575}
.kpi .n{font-size:2.3em;font-weight:bold;display:block;line-height:1.1}
.kpi .t{color:#d4deea}
main{flex:1;display:grid;grid-template-columns:34fr 41fr 25fr;gap:0.8vw;min-height:0}
section{background:#142a42;border-radius:0.4vw;padding:0.5vw 0.7vw;overflow:hidden;display:flex;flex-direction:column}
h2{font-size:1.2em;border-left:0.3vw solid #f0e442;padding-left:0.4vw;margin-bottom:0.35vw}
table{width:100%;border-collapse:collapse}
th{color:#b8c6d8;font-weight:normal;text-align:left;border-bottom:1px solid #3a5575;padding:0.15vw 0.25vw;white-space:nowrap}
td{padding:0.18vw 0.25vw;border-bottom:1px solid #22405f;vertical-align:middle}
td.num,th.num{text-align:right;white-space:nowrap}
table.lit{table-layout:fixed}
td.title{width:auto}
td.title div{display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden}
td.unit{white-space:nowrap;overflow:hidden;text-overflow:ellipsis;max-width:12vw}
td.state{white-space:nowrap;text-align:right}
.bar{display:flex;height:1.25em;min-width:9vw;background:#0f1d2e;border-radius:0.2vw;overflow:hidden}
.seg{display:flex;align-items:center;justify-content:center;font-size:0.8em;white-space:nowrap;overflow:hidden}
.lights{font-size:0.8em;color:#d4deea;white-space:nowrap}
.tag{display:inline-block;border-radius:0.2vw;padding:0 0.3vw;font-size:0.85em;white-space:nowrap}
.ledger{color:#b8c6d8;font-size:0.75em;overflow:hidden;text-overflow:ellipsis}
.more{color:#b8c6d8;font-size:0.85em;margin-top:0.2vw}
.boards>div{min-width:0}
.boards{display:grid;grid-template-columns:1fr 1fr;gap:0.5vw;margin-bottom:0.5vw}
.boards ol{list-style:none}
.boards li{display:flex;justify-content:space-between;gap:0.3vw;border-bottom:1px solid #22405f;padding:0.1vw 0}
.boards li span:first-child{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.boards li span:last-child{white-space:nowrap}
.weeks{table-layout:fixed}
.weeks td,.weeks th{font-size:0.72em;padding:0.1vw 0;text-align:right;white-space:nowrap}
.weeks th:first-child,.weeks td:first-child{text-align:left;width:2.6em}
table.units{table-layout:fixed}
.units .bar{min-width:0}
.lights{overflow:hidden;text-overflow:ellipsis}
.red-board h2{border-color:#d55e00}.black-board h2{border-color:#999}
.empty{color:#b8c6d8}
svg text{fill:#eef2f7;font-family:inherit}
footer{color:#8ea3bb;font-size:0.8em;display:flex;justify-content:space-between}
"""


def render(screen: Screen, refresh: int) -> str:
    """The page: ``refresh`` seconds between reloads (0: none)."""
    e = escape
    d = screen.today
    title = f"{screen.office}督办亮灯大屏"
    meta = f'<meta http-equiv="refresh" content="{refresh}">' if refresh else ""
    ledgers = ""
    if len(screen.ledgers) > 1:
        ledgers = f'<span class="sub">汇总{len(screen.ledgers)}本台账：{e("、".join(screen.ledgers))}</span>'
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">{meta}
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{e(title)}</title><style>{CSS}</style></head>
<body>
<header><h1>{e(title)}</h1>{ledgers}
<span class="date" data-k="date" data-v="{d.isoformat()}">{d.year}年{d.month}月{d.day}日 星期{WEEKDAYS[d.weekday()]}</span></header>
{_kpis(screen)}
<main>
<section>{_units(screen)}</section>
<section>{_lit(screen)}</section>
<section>{_boards(screen)}{_trend(screen)}</section>
</main>
<footer><span>统计口径：牵头单位事项，建账至{d.isoformat()}；得分为{e(screen.quarter)}计公分；
颜色之外均写明灯名，色觉障碍者亦可辨认</span><span>{f"每{refresh}秒自动刷新" if refresh else "不自动刷新"}</span></footer>
</body></html>
"""


def _kpis(s: Screen) -> str:
    o = s.overall
    tiles = []
    for code in (*LIGHT_CODES, "none"):
        if code == "blue" and not s.lights.get("blue"):
            continue  # the three-colour preset has no blue light
        tiles.append((code, LIGHT_NAMES[code], str(s.lights.get(code, 0)), COLOURS[code]))
    tiles += [("total", "督办事项", str(o.total), "#eef2f7"), ("closed", "已办结", str(o.closed), "#eef2f7"),
              ("completion_rate", "办结率", percent_text(o.completion_rate), "#eef2f7"),
              ("on_time_rate", "按期办结率", percent_text(o.on_time_rate), "#eef2f7"),
              ("progress_rate", "序时推进率", percent_text(o.progress_rate), "#eef2f7")]
    return '<div class="kpis">' + "".join(
        f'<div class="kpi" style="border-left-color:{colour}"><span class="n" data-k="{key}">{escape(value)}</span>'
        f'<span class="t">{escape(name)}</span></div>' for key, name, value, colour in tiles) + "</div>"


def _who(unit: str, ledger: str | None, multi: bool) -> str:
    """A unit's name, with its ledger's in small type beneath when several ledgers are shown."""
    if multi and ledger:
        return f'{escape(unit)}<div class="ledger">{escape(ledger)}</div>'
    return escape(unit)


def _bar(row: UnitRow, widest: int) -> str:
    total = sum(row.lights.values())
    segments = []
    for code in (*LIGHT_CODES, "none"):
        n = row.lights.get(code, 0)
        if n:
            width = 100 * n / widest
            segments.append(f'<span class="seg" style="width:{width:.2f}%;background:{COLOURS[code]};'
                            f'color:{INK[code]}" title="{LIGHT_NAMES[code]}{n}项">{SHORT[code]}{n}</span>')
    words = " ".join(f"{SHORT[c]}{row.lights[c]}" for c in (*LIGHT_CODES, "none") if row.lights.get(c))
    return (f'<div class="bar" data-total="{total}">{"".join(segments)}</div>'
            f'<div class="lights">{escape(words) or "无在办事项"}</div>')


def _units(s: Screen) -> str:
    most = MAX_UNITS if len(s.ledgers) == 1 or s.by_ledger else MAX_UNITS_MULTI
    rows = s.units[:most]
    widest = max([sum(r.lights.values()) for r in s.units] + [1])
    body = []
    for r in rows:
        multi = len(s.ledgers) > 1
        name = f"{r.ledger}·{r.unit}" if r.ledger and multi else r.unit
        score = "—" if r.score is None else f"{r.score:g}"
        rank = "—" if r.rank is None else str(r.rank)
        board = f'<span class="tag" style="background:{"#d55e00" if r.board == "红榜" else "#555"}">{r.board}</span> ' \
            if r.board else ""
        body.append(
            f'<tr data-unit="{escape(name)}"><td class="num" data-k="rank">{rank}</td>'
            f'<td class="unit" title="{escape(name)}">{board}{_who(r.unit, r.ledger, multi)}</td><td>{_bar(r, widest)}</td>'
            f'<td class="num" data-k="progress_rate">{percent_text(r.progress_rate)}</td>'
            f'<td class="num" data-k="score">{score}</td></tr>')
    more = f'<p class="more">另有{len(s.units) - most}个单位未列出</p>' if len(s.units) > most else ""
    if s.by_ledger:
        heading = "各台账办理情况（在办事项亮灯 · 序时推进率）"
    else:
        heading = f"各单位办理情况（牵头事项亮灯 · 序时推进率 · {escape(s.quarter)}得分与名次）"
    return (f"<h2>{heading}</h2>"
            '<table class="units"><colgroup><col style="width:2.4em"><col style="width:31%"><col>'
            '<col style="width:4.9em"><col style="width:4.6em"></colgroup>'
            '<thead><tr><th class="num">名次</th><th>单位</th><th>在办牵头事项</th>'
            '<th class="num">序时推进率</th><th class="num">得分</th></tr></thead><tbody>'
            + "".join(body) + "</tbody></table>" + more)


def _more(hidden: list) -> str:
    """The line under the list: how many of which light were left out, and the command that shows them."""
    if not hidden:
        return ""
    counts = "、".join(f"{LIGHT_NAMES[c]}{n}项" for c in ("red", "yellow", "blue")
                      if (n := sum(1 for r in hidden if r.light == c)))
    command = "duban list --light red" if all(r.light == "red" for r in hidden) else "duban list"
    return f'<p class="more">另有{len(hidden)}项未列出（{counts}；{command} 查看全部）</p>'


def _lit(s: Screen) -> str:
    shown = s.lit[:MAX_LIT]
    body = []
    multi = len(s.ledgers) > 1
    for r in shown:
        body.append(
            f'<tr data-id="{r.item_id}" data-light="{r.light}"><td class="num" data-k="id">{r.item_id}</td>'
            f'<td><span class="tag" style="background:{COLOURS[r.light]};color:{INK[r.light]}">'
            f'{LIGHT_NAMES[r.light]}</span></td>'
            f'<td class="title" title="{escape(r.title)}"><div>{escape(r.title)}</div></td>'
            f'<td class="unit">{_who(r.unit, r.ledger, multi)}</td>'
            f'<td class="state" data-k="state">{escape(r.state)}</td><td data-k="level">{escape(r.level or "—")}</td></tr>')
    if not body:
        body.append('<tr><td colspan="6" class="empty">今日没有红灯、黄灯事项</td></tr>')
    more = _more(s.lit[MAX_LIT:])
    counts = "、".join(f"{LIGHT_NAMES[c]}{n}项" for c in ("red", "yellow", "blue")
                      if (n := sum(1 for r in s.lit if r.light == c)))
    return (f"<h2>红灯、黄灯事项（{escape(counts) or '无'}）</h2>"
            '<table class="lit"><colgroup><col style="width:3.2em"><col style="width:3.6em"><col>'
            '<col style="width:20%"><col style="width:10.4em"><col style="width:5.4em"></colgroup>'
            '<thead><tr><th class="num">编号</th><th>灯</th><th>事项</th><th>牵头单位</th>'
            '<th class="num">逾期/剩余</th><th>督办级别</th></tr></thead><tbody>' + "".join(body)
            + "</tbody></table>" + more)


def _board(name: str, css: str, entries: list[Board], multi: bool) -> str:
    items = "".join(
        f'<li data-unit="{escape(b.unit)}"><span>{b.rank}. {_who(b.unit, b.ledger, multi)}'
        f'</span><span>{b.score:g}分</span></li>' for b in entries[:8])
    items = items or '<li class="empty">暂无</li>'
    return f'<div class="{css}"><h2>{name}</h2><ol>{items}</ol></div>'


def _boards(s: Screen) -> str:
    multi = len(s.ledgers) > 1
    return ('<div class="boards">' + _board(f"红榜（{escape(s.quarter)}）", "red-board", s.red_board, multi)
            + _board(f"黑榜（{escape(s.quarter)}）", "black-board", s.black_board, multi) + "</div>")


SERIES = [("new", "新增", "#56b4e9", "", "circle"), ("closed", "办结", "#009e73", "8 5", "square"),
          ("red", "逾期", "#d55e00", "2 4", "triangle")]


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}"/>'
    if shape == "square":
        return f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" fill="{colour}"/>'
    return f'<polygon points="{x:.1f},{y - 6:.1f} {x - 6:.1f},{y + 5:.1f} {x + 6:.1f},{y + 5:.1f}" fill="{colour}"/>'


def _trend(s: Screen) -> str:
    weeks = s.trend
    if not weeks:
        return ""
    width, height, left, right, top, bottom = 460, 300, 34, 12, 22, 58
    peak = max([getattr(w, key) for w in weeks for key, *_ in SERIES] + [1])
    step = (width - left - right) / max(len(weeks) - 1, 1)

    def y(value: int) -> float:
        return top + (height - top - bottom) * (1 - value / peak)

    parts = [f'<line x1="{left}" y1="{y(0):.1f}" x2="{width - right}" y2="{y(0):.1f}" stroke="#3a5575"/>',
             f'<text x="{left - 6}" y="{y(peak) + 5:.1f}" text-anchor="end" font-size="13">{peak}</text>',
             f'<text x="{left - 6}" y="{y(0) + 5:.1f}" text-anchor="end" font-size="13">0</text>']
    for n, w in enumerate(weeks):
        x = left + n * step
        parts.append(f'<text x="{x:.1f}" y="{height - bottom + 18}" text-anchor="middle" font-size="12">'
                     f'W{w.label[-2:]}</text>')
    for key, name, colour, dash, shape in SERIES:
        points = [(left + n * step, y(getattr(w, key))) for n, w in enumerate(weeks)]
        path = " ".join(f"{x:.1f},{yy:.1f}" for x, yy in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="3"'
                     + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
        for (x, yy), w in zip(points, weeks):
            value = getattr(w, key)
            parts.append(_marker(shape, x, yy, colour))
            if w is weeks[-1]:  # the latest week; the table under the chart has every week's figures
                parts.append(f'<text x="{x:.1f}" y="{yy - 8:.1f}" text-anchor="middle" font-size="12" '
                         f'data-week="{w.label}" data-series="{key}">{value}</text>')
    legend_y = height - 14
    for n, (key, name, colour, dash, shape) in enumerate(SERIES):
        x = left + n * 140
        parts.append(f'<line x1="{x}" y1="{legend_y}" x2="{x + 34}" y2="{legend_y}" stroke="{colour}" stroke-width="3"'
                     + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
        parts.append(_marker(shape, x + 17, legend_y, colour))
        parts.append(f'<text x="{x + 42}" y="{legend_y + 5}" font-size="15">{name}</text>')
    first, last = weeks[0], weeks[-1]
    table = ('<table class="weeks"><tr><th>周</th>' + "".join(f"<th>{w.label[-2:]}</th>" for w in weeks) + "</tr>"
             + "".join(f'<tr data-series="{key}"><td>{name}</td>'
                       + "".join(f'<td data-week="{w.label}">{getattr(w, key)}</td>' for w in weeks) + "</tr>"
                       for key, name, *_ in SERIES) + "</table>")
    return (f"<h2>近12周趋势（{first.monday.isoformat()} 至 {last.end.isoformat()}）</h2>"
            f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
            f'aria-label="近12周每周新增、办结事项数和周末逾期事项数">{"".join(parts)}</svg>{table}'
            '<p class="more">逾期：周末时已过办理时限、仍在办理的牵头事项</p>')
