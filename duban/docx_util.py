"""python-docx helpers for documents in the style of official papers (公文).

Fonts are named the way offices name them: 方正小标宋简体 for titles, 黑体 for headings,
仿宋_GB2312 for body text, 楷体_GB2312 for emphasis. Word and LibreOffice substitute an
installed font when one is missing; each run also names a common fallback (仿宋 /
SimSun) in the ASCII slot so Latin digits stay in a matching face.

python-docx is imported inside the functions: this module is loaded only when a
document is written, never at start-up.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from .safe_text import xml_text

TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
BODY_FONT = "仿宋_GB2312"
KAI_FONT = "楷体_GB2312"
LATIN_FONT = "Times New Roman"

# 公文 sizes in points: 二号 22, 三号 16, 四号 14, 小四 12, 五号 10.5
SIZE_TITLE = 22
SIZE_BODY = 16
SIZE_TABLE = 12


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def new_document() -> Any:
    """An A4 document with 公文 margins (top 37 mm, bottom 35 mm, left 28 mm, right 26 mm)."""
    from docx import Document
    from docx.shared import Mm

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = doc.styles["Normal"]
    set_font(normal, BODY_FONT, SIZE_BODY)
    return doc


def set_font(target: Any, east_asian: str, size: float | None = None, bold: bool | None = None,
             color: tuple[int, int, int] | None = None) -> None:
    """Name the East Asian font on a run or style (python-docx only sets the Latin slots)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    font = target.font
    font.name = LATIN_FONT
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if color is not None:
        font.color.rgb = RGBColor(*color)
    rpr = target.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:hint"), "eastAsia")


def paragraph(doc_or_cell: Any, text: str = "", *, font: str = BODY_FONT, size: float = SIZE_BODY,
              bold: bool = False, align: str = "left", indent: bool = False, color=None,
              space_before: float = 0, space_after: float = 0, line: float | None = 28) -> Any:
    """One paragraph with one run: ``align`` left|center|right|justify; ``indent`` = 2 characters."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = doc_or_cell.add_paragraph()
    p.alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
                   "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}[align]
    fmt = p.paragraph_format
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    fmt.space_before, fmt.space_after = Pt(space_before), Pt(space_after)
    if line is not None:
        fmt.line_spacing = Pt(line)
    if text:
        set_font(p.add_run(xml_text(text)), font, size, bold, color)
    return p


def add_run(p: Any, text: str, *, font: str = BODY_FONT, size: float = SIZE_BODY, bold: bool = False,
            color=None) -> Any:
    run = p.add_run(xml_text(text))
    set_font(run, font, size, bold, color)
    return run


def red_rule(doc: Any) -> Any:
    """The red line under a 红头 masthead: a paragraph with a thick red bottom border."""
    from docx.oxml.ns import qn

    p = paragraph(doc, "", line=None, space_after=6)
    ppr = p._p.get_or_add_pPr()
    borders = ppr.makeelement(qn("w:pBdr"), {})
    bottom = borders.makeelement(qn("w:bottom"), {qn("w:val"): "single", qn("w:sz"): "18", qn("w:space"): "1",
                                                  qn("w:color"): "C00000"})
    borders.append(bottom)
    ppr.append(borders)
    return p


def table(doc: Any, headers: list[str], rows: list[list[str]], widths_mm: list[float] | None = None,
          size: float = SIZE_TABLE) -> Any:
    """A bordered table, header row in 黑体 repeated on every page, body in 仿宋."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm

    t = doc.add_table(rows=1, cols=len(headers))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    head = t.rows[0]
    trpr = head._tr.get_or_add_trPr()
    trpr.append(trpr.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"}))
    for cell, text in zip(head.cells, headers):
        _cell_text(cell, text, HEADING_FONT, size, center=True)
    first = None  # the first full body row, made through python-docx; the rows after it are copies of it
    for row in rows:
        if first is not None and len(row) == len(headers):
            tr = copy.deepcopy(first)  # python-docx takes milliseconds a row: a table of 40 units was slow
            for n, (tc, text) in enumerate(zip(tr.tc_lst, row)):
                p = tc.p_lst[0]
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER if _centred(n, text) else WD_ALIGN_PARAGRAPH.LEFT
                p.r_lst[0].text = xml_text(text)
            t._tbl.append(tr)
            continue
        cells = t.add_row().cells
        for n, (cell, text) in enumerate(zip(cells, row)):
            _cell_text(cell, text, BODY_FONT, size, center=_centred(n, text))
        if first is None and len(row) == len(headers):
            first = cells[0]._tc.getparent()
    if widths_mm:  # Word reads the cell widths, LibreOffice the grid columns: set both
        t.autofit = False
        for column, width in zip(t.columns, widths_mm):
            column.width = Mm(width)
        for row in t.rows:
            for cell, width in zip(row.cells, widths_mm):
                cell.width = Mm(width)
    return t


def _centred(column: int, text: Any) -> bool:
    """A body cell is centred unless it is the third column (the item's title) or long."""
    return column != 2 and len(str(text)) <= 12


def _cell_text(cell: Any, text: str, font: str, size: float, center: bool) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    p = cell.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.LEFT
    set_font(p.add_run(xml_text(text)), font, size)


def page_numbers(doc: Any) -> None:
    """Centred “— N —” page numbers in the footer (a PAGE field, numbered by the office suite)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    footer = doc.sections[0].footer
    p = footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_run(p, "— ", font=BODY_FONT, size=14)
    _page_field(add_run(p, "", font=BODY_FONT, size=14))
    add_run(p, " —", font=BODY_FONT, size=14)


def form_table(doc: Any, rows: list[tuple[str, str]], widths_mm: list[float], size: float = 14) -> Any:
    """A two-column form (label | value), as on a 任务交办单: labels in 黑体, centred; values in 仿宋."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    t = doc.add_table(rows=0, cols=2)
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    label_mm, value_mm = widths_mm
    t.columns[0].width, t.columns[1].width = Mm(label_mm), Mm(value_mm)  # LibreOffice reads the grid
    for label, value in rows:
        cells = t.add_row().cells
        _cell_text(cells[0], label, HEADING_FONT, size, center=True)
        _cell_text(cells[1], value, BODY_FONT, size, center=False)
        cells[0].width, cells[1].width = Mm(label_mm), Mm(value_mm)  # Word reads the cells
        for cell in cells:
            p = cell.paragraphs[0].paragraph_format
            p.space_before = p.space_after = Pt(4)
        trpr = cells[0]._tc.getparent().get_or_add_trPr()
        trpr.append(trpr.makeelement(qn("w:cantSplit"), {qn("w:val"): "true"}))
    return t


def save(doc: Any, path, mode: int | None = None) -> None:
    """Save through duban.files.atomic_path: the old file stays whole until the new one is complete.

    ``mode`` (e.g. 0o600) is the new file's permission; by default, files.atomic_path's.
    """
    from .files import atomic_path

    with (atomic_path(path) if mode is None else atomic_path(path, mode)) as tmp:
        doc.save(str(tmp))


# -- GB/T 9704-2012 layout helpers (issue #12) ------------------------------------------------------------

SONG_FONT = "宋体"
TEXT_WIDTH_MM = 156            # 版心 210 − 28 − 26
CELL_MARGINS_MM = 3.81         # Table Grid: 0.075 inch each side
RULE_THICK, RULE_THIN = 8, 6   # border widths in eighths of a point: 1 pt ≈ 0.35 mm, 0.75 pt ≈ 0.25 mm


def text_mm(text: str, size: float) -> float:
    """Width in mm of the widest line of ``text`` at ``size`` points: a CJK character is one em, an
    ASCII one half (Latin digits and punctuation in a 公文 are half-width), and a quarter em where
    Latin meets CJK (the space Word and LibreOffice put between them)."""
    def ems(line: str) -> float:
        latin = [ord(ch) < 0x2000 for ch in line]
        return sum(0.5 if x else 1.0 for x in latin) + 0.25 * sum(a != b for a, b in zip(latin, latin[1:]))

    return max((ems(line) for line in str(text).split("\n")), default=0) * size * 25.4 / 72


def fits(text: str, width_mm: float, size: float) -> bool:
    """Whether every line of ``text`` fits a table cell ``width_mm`` wide without breaking."""
    return text_mm(text, size) <= width_mm - CELL_MARGINS_MM


def keep_rows_whole(t: Any) -> None:
    """No row of the table splits across pages (w:cantSplit on every row; the header row repeats)."""
    from docx.oxml.ns import qn

    for tr in t._tbl.tr_lst:
        trpr = tr.get_or_add_trPr()
        if trpr.find(qn("w:cantSplit")) is None:
            trpr.insert(0, trpr.makeelement(qn("w:cantSplit"), {}))  # first in CT_TrPr's sequence here


def line_break_title(doc: Any, lines: list[str], size: float = SIZE_TITLE, font: str = TITLE_FONT) -> Any:
    """A centred title set on the lines given, each line ended by a line break, so that no word or date
    is left alone on a line of its own (GB/T 9704-2012 7.3.1: 标题回行时要词意完整)."""
    p = paragraph(doc, "", align="center", line=None, space_before=12, space_after=12)
    for n, line in enumerate(lines):
        run = add_run(p, line, font=font, size=size)
        if n < len(lines) - 1:
            run.add_break()
    return p


def _rule(ppr: Any, side: str, size: int) -> None:
    from docx.oxml.ns import qn

    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = ppr.makeelement(qn("w:pBdr"), {})
        ppr.append(borders)
    borders.append(borders.makeelement(qn(f"w:{side}"), {qn("w:val"): "single", qn("w:sz"): str(size),
                                                         qn("w:space"): "1", qn("w:color"): "000000"}))


def imprint(doc: Any, lines: list[str], office: str, date_text: str, size: float = 14) -> Any:
    """版记 (GB/T 9704-2012 7.4): at the foot of the last page, as wide as the text, between black rules —
    the first and last thicker — the 报/送 lines (one character in on each side), then the issuing
    office (one character in) and the 印发 date (right-aligned, one character in).

    It is a one-cell table floating at the bottom of the text area, anchored to an empty paragraph
    after it, so that it sits at the foot of the page whatever the length of the text above. (LibreOffice
    lays out a floating table as one only when it is narrower than the text: the table is a little
    narrower, and its paragraphs reach out to the full width by negative indents.)"""
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, Twips

    full = int(TEXT_WIDTH_MM / 25.4 * 1440)
    width = full - 2 * IMPRINT_INSET
    t = doc.add_table(rows=1, cols=1)
    tblpr = t._tbl.tblPr
    for tag in ("w:tblStyle", "w:tblW", "w:tblLayout", "w:tblCellMar", "w:tblLook"):
        for old in tblpr.findall(qn(tag)):
            tblpr.remove(old)
    tblpr.insert(0, tblpr.makeelement(qn("w:tblpPr"), {
        qn("w:leftFromText"): "0", qn("w:rightFromText"): "0", qn("w:topFromText"): "0", qn("w:bottomFromText"): "0",
        qn("w:vertAnchor"): "margin", qn("w:horzAnchor"): "margin", qn("w:tblpXSpec"): "center",
        qn("w:tblpYSpec"): "bottom"}))
    tblpr.append(tblpr.makeelement(qn("w:tblW"), {qn("w:w"): str(width), qn("w:type"): "dxa"}))
    tblpr.append(tblpr.makeelement(qn("w:tblLayout"), {qn("w:type"): "fixed"}))
    margins = tblpr.makeelement(qn("w:tblCellMar"), {})
    for side in ("top", "left", "bottom", "right"):
        margins.append(margins.makeelement(qn(f"w:{side}"), {qn("w:w"): "0", qn("w:type"): "dxa"}))
    tblpr.append(margins)
    t.columns[0].width = t.rows[0].cells[0].width = Twips(width)
    cell = t.rows[0].cells[0]
    texts = [*lines, f"{office}\t{date_text}印发"]
    for n, text in enumerate(texts):
        p = cell.paragraphs[0] if n == 0 else cell.add_paragraph()
        p.paragraph_format.line_spacing = Pt(24)
        p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(0)
        add_run(p, text, size=size)
        fmt = p.paragraph_format
        fmt.left_indent = fmt.right_indent = Twips(-IMPRINT_INSET)  # the rules span the full text width
        fmt.first_line_indent = Twips(IMPRINT_INSET) + Pt(size)     # the text starts one character in
        if n == len(texts) - 1:
            fmt.tab_stops.add_tab_stop(Twips(full - IMPRINT_INSET) - Pt(size), WD_TAB_ALIGNMENT.RIGHT)
        ppr = p._p.get_or_add_pPr()
        if n == 0:
            _rule(ppr, "top", RULE_THICK)
        if n == len(texts) - 2:
            _rule(ppr, "bottom", RULE_THIN)
        if n == len(texts) - 1:
            _rule(ppr, "bottom", RULE_THICK)
        _in_schema_order(ppr)
    paragraph(doc, "", size=1, line=None)  # the anchor: a body cannot end with a table
    return t


IMPRINT_INSET = 150  # twips each side: the floating table is this much narrower than the text


# CT_PPr's children in the order the schema requires (Word refuses a document with them out of order).
_PPR_ORDER = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
              "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
              "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid",
              "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
              "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange")


def _in_schema_order(ppr: Any) -> None:
    rank = {name: n for n, name in enumerate(_PPR_ORDER)}
    children = list(ppr)
    for child in children:
        ppr.remove(child)
    for child in sorted(children, key=lambda c: rank.get(c.tag.rsplit("}", 1)[-1], len(rank))):
        ppr.append(child)


def outer_page_numbers(doc: Any, size: float = 14) -> None:
    """Page numbers as GB/T 9704-2012 7.5 sets them: “— N —” in 4号 half-width 宋体 digits below the
    text, on the outer side — odd pages right, even pages left, one character in."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        p = footer.paragraphs[0]
        p.alignment = align
        if align is WD_ALIGN_PARAGRAPH.RIGHT:
            p.paragraph_format.right_indent = Pt(size)
        else:
            p.paragraph_format.left_indent = Pt(size)
        add_run(p, "— ", font=SONG_FONT, size=size)
        _page_field(add_run(p, "", font=SONG_FONT, size=size))
        add_run(p, " —", font=SONG_FONT, size=size)
    # the rule's top 7 mm below the text (bottom margin 35 mm), a 4号 line being about 5.6 mm high
    section.footer_distance = Mm(35 - 7 - 5.6)


def _page_field(run: Any) -> None:
    from docx.oxml.ns import qn

    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind is not None:
            el = run._r.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): kind})
        elif text.strip() == "PAGE":
            el = run._r.makeelement(qn("w:instrText"), {qn("xml:space"): "preserve"})
            el.text = text
        else:
            el = run._r.makeelement(qn("w:t"), {})
            el.text = text
        run._r.append(el)
