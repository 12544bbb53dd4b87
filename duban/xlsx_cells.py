"""The cells, rows and print set-up of duban's xlsx files, below the ledger's sheets (duban/exporter.py).

Every text cell is written as text — never as a formula, an error value or a number — whatever
it starts with (:class:`_Writer`); a large sheet's data rows are written as the sheet's XML, exactly
as openpyxl writes its cells, and put into the saved file (:meth:`_Writer.xml`, :func:`_splice_rows`).
Column widths and row heights are measured from the texts (:func:`_fit_width`, :func:`_row_heights`).
openpyxl is imported inside the functions.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import math
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .models import Light
from .safe_text import xml_text

# Light → (cell text, fill colour, font colour). None is grey: no light.
LIGHT_ORDER: tuple[Light | None, ...] = (Light.RED, Light.YELLOW, Light.BLUE, Light.GREEN, None)
LIGHT_STYLE: dict[Light | None, tuple[str, str, str]] = {
    Light.RED: ("红灯", "FFFF0000", "FFFFFFFF"),
    Light.YELLOW: ("黄灯", "FFFFFF00", "FF000000"),
    Light.BLUE: ("蓝灯", "FF00B0F0", "FF000000"),
    Light.GREEN: ("绿灯", "FF00B050", "FFFFFFFF"),
    None: ("不亮灯", "FFD9D9D9", "FF000000"),
}
HEADER_FILL = "FFDDEBF7"


# Characters an xlsx cannot hold (XML 1.0 control characters); tab, LF and CR are fine.
MAX_CELL_TEXT = 32767  # Excel's limit on one cell's text


def clean_text(value: str) -> str:
    """Text an xlsx can hold: control characters dropped, cut at Excel's cell limit."""
    text = xml_text(value)
    if len(text) > MAX_CELL_TEXT:
        text = text[: MAX_CELL_TEXT - 1] + "…"
    return text


class _CharWidths(dict):
    """Character → the columns it takes, looked up once per character."""

    def __missing__(self, ch: str) -> int:
        width = self[ch] = 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        return width


_CHAR_WIDTHS = _CharWidths()


@functools.lru_cache(maxsize=8192)
def display_width(text: str) -> int:
    """Columns the text takes on screen: CJK and full-width characters count 2, the rest 1."""
    return len(text) if text.isascii() else sum(map(_CHAR_WIDTHS.__getitem__, text))


FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "\n")


def _styles() -> dict[str, dict[str, Any]]:
    """Every cell look the export uses, by name: attribute → openpyxl style object."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="FF808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(vertical="center", wrap_text=True)
    looks = {
        "title": {"font": Font(bold=True, size=16), "alignment": Alignment(horizontal="center", vertical="center")},
        "note": {"alignment": Alignment(vertical="center")},
        "header": {"font": Font(bold=True), "fill": PatternFill("solid", fgColor=HEADER_FILL), "border": border,
                   "alignment": centre},
        "text": {"border": border, "alignment": left},
        "centre": {"border": border, "alignment": centre},
        "total": {"border": border, "alignment": centre, "font": Font(bold=True)},
    }
    for light, (_, fill, colour) in LIGHT_STYLE.items():
        looks[f"light:{light.code if light else 'none'}"] = {
            "border": border, "alignment": centre, "fill": PatternFill("solid", fgColor=fill),
            "font": Font(bold=True, color=colour)}
    return looks


def light_style(light: Light | None) -> str:
    return f"light:{light.code if light else 'none'}"


class _Writer:
    """Writes cells of one workbook. Text always stays text; each distinct look is built once
    and copied to the cells that share it (styling cell by cell is most of openpyxl's time)."""

    def __init__(self) -> None:
        self.looks = _styles()
        self._built: dict[tuple[str, str | None, bool], Any] = {}
        self._ids: dict[tuple[str, str | None, bool], int | None] = {}
        self._tails: dict[tuple, str] = {}

    def put(self, ws, row: int, column: int, value: Any, look: str = "text", number_format: str | None = None):
        return self._fill(ws.cell(row=row, column=column), value, look, number_format)

    def _fill(self, cell, value: Any, look: str, number_format: str | None):
        quote = False
        if isinstance(value, str):
            text = clean_text(value)
            cell.value = text
            cell.data_type = "s"  # openpyxl would make "=..." a formula and "#N/A" an error value
            quote = text.startswith(FORMULA_LEADS)  # and Excel keeps it text when someone edits the cell
        else:
            cell.value = value
        key = (look, number_format, quote)
        built = self._built.get(key)
        if built is None:
            for name, style in self.looks[look].items():
                setattr(cell, name, style)
            if number_format:
                cell.number_format = number_format
            if quote:
                cell.quotePrefix = True
            self._built[key] = copy.copy(cell._style)
        else:
            cell._style = copy.copy(built)
        return cell

    def xml(self, ws, ref: str, value: Any, look: str = "text", number_format: str | None = None) -> str:
        """The cell ``ref`` as openpyxl would write it into the sheet's XML had :meth:`put` made it.

        For the rows of a large sheet: making and then writing one openpyxl cell per value was
        most of the export's time. Non-ASCII characters are left for :func:`_ascii` to escape.
        """
        key = (look, number_format, value.__class__, value)
        tail = self._tails.get(key)
        if tail is None:
            tail = self._xml_tail(ws, value, look, number_format)
            if len(self._tails) < 100_000:  # units, states, dates repeat down the rows; titles do not
                self._tails[key] = tail
        return f'<c r="{ref}"{tail}'

    def _xml_tail(self, ws, value: Any, look: str, number_format: str | None) -> str:
        """What follows ``<c r="A1"`` in :meth:`xml`."""
        text = None
        if isinstance(value, str):
            text = clean_text(value)
            key = (look, number_format, text.startswith(FORMULA_LEADS))
        else:
            key = (look, number_format, False)
        try:
            style_id = self._ids[key]
        except KeyError:
            # the first cell of each look is made (not placed on the sheet), so that the workbook
            # registers its look, in the order it would have, and numbers it
            from openpyxl.cell.cell import Cell

            cell = self._fill(Cell(ws), value, look, number_format)
            style_id = self._ids[key] = cell.style_id if cell.has_style else None
        head = f' s="{style_id}"' if style_id is not None else ""
        if text is not None:
            if not text:
                return head + ' t="inlineStr"></c>'
            space = ' xml:space="preserve"' if text != text.strip() else ""
            return f'{head} t="inlineStr"><is><t{space}>{_xml_text(text)}</t></is></c>'
        if value is None:
            return head + ' t="n"></c>'
        if isinstance(value, (dt.date, dt.datetime)) and not ws.parent.iso_dates:
            from openpyxl.utils.datetime import to_excel

            value = to_excel(value, ws.parent.epoch)
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"a ledger cell cannot hold {value!r}")
        from openpyxl.compat import safe_string

        return f'{head} t="n"><v>{safe_string(value)}</v></c>'

    def register(self, cells) -> None:
        """Number the looks of cells made with :meth:`put` now (openpyxl numbers them as it saves),
        so that they keep the numbers they had before the rows written with :meth:`xml`."""
        for cell in cells:
            if cell.has_style:
                cell.style_id  # reading it registers the look with the workbook


def _xml_text(text: str) -> str:
    """Text escaped as lxml escapes a text node (&, <, >, and CR, which XML would read as LF)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


def _ascii(xml: str) -> bytes:
    """The sheet's XML as openpyxl writes it: ASCII, every other character a character reference."""
    return xml.encode("ascii", "xmlcharrefreplace")


def _fit_width(header: str, texts: Sequence[str], narrowest: int, widest: int) -> float:
    """Wide enough for the longest line (and the header beside its filter button), within bounds."""
    longest = max((display_width(line) for t in set(texts) for line in t.splitlines() or [""]), default=0)
    return float(min(widest, max(narrowest, longest + 2, display_width(header) + 4)))


LINE_HEIGHT = 15.0  # points per line of 11-point text (CJK glyphs included)


def _lines(text: str, width: float, button: int = 0) -> int:
    """How many lines ``text`` wraps to in a column ``width`` characters wide (an estimate)."""
    room = max(1.0, width - 1.5 - button)
    if len(text) * 2.2 <= room and "\n" not in text:  # one line even were every character wide (2 columns)
        return 1
    return sum(max(1, math.ceil(display_width(part) * 1.05 / room)) for part in text.split("\n"))


def _row_height(texts: Sequence[str], widths: Sequence[float], header: bool = False) -> float:
    """Points for a row: its cell that wraps to the most lines (the header leaves room for the filter button)."""
    lines = max((_lines(t, w, 3 if header else 0) for t, w in zip(texts, widths) if t), default=1)
    return lines * LINE_HEIGHT + 4


def _row_heights(columns: Sequence[Sequence[str]], widths: Sequence[float]) -> list[float]:
    """:func:`_row_height` of every row of ``columns`` (the texts of each column), measuring each
    distinct text of a column once (units, states and dates repeat down thousands of rows)."""
    lines = []
    for texts, width in zip(columns, widths):
        measured = {"": 1}  # an empty cell takes no lines; a row takes at least one
        lines.append([measured[t] if t in measured else measured.setdefault(t, _lines(t, width)) for t in texts])
    return [most * LINE_HEIGHT + 4 for most in map(max, *lines)] if columns and columns[0] else []


def _print_setup(ws, title_rows: str | None = None) -> None:
    """A4 landscape, one page wide, page numbers in the footer."""
    from openpyxl.worksheet.properties import PageSetupProperties

    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as it takes
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = ws.evenFooter.center.text = "第 &P 页，共 &N 页"
    if title_rows:
        ws.print_title_rows = title_rows


def _splice_rows(path: Path, ws, rows: bytes, last_row: int) -> None:
    """Put the XML of data rows into the sheet ``ws`` of the workbook just saved at ``path``, after its
    last row (the header), and make the sheet's dimension take them in."""
    import zipfile

    if not rows:
        return
    member = ws.path.lstrip("/")
    with zipfile.ZipFile(path) as z:
        entries = [(info, z.read(info)) for info in z.infolist()]
    old_dimension = f'<dimension ref="{ws.calculate_dimension()}"/>'.encode()
    first, _, last = ws.calculate_dimension().partition(":")
    new_dimension = f'<dimension ref="{first}:{last.rstrip("0123456789")}{last_row}"/>'.encode()
    with zipfile.ZipFile(path, "w") as z:
        for info, data in entries:
            if info.filename == member:
                if data.count(b"</sheetData>") != 1 or data.count(old_dimension) != 1:
                    raise RuntimeError(f"unexpected layout of {member}")  # pragma: no cover - openpyxl changed
                data = data.replace(old_dimension, new_dimension).replace(b"</sheetData>", rows + b"</sheetData>")
            z.writestr(info, data)
