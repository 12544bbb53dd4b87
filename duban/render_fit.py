"""Tables that fit the terminal: columns by priority, wrapping text, a note for what was left out.

Rich shares a too-narrow width among all columns, squeezing some to one character (or to
nothing) and cutting the right-hand ones off. Here each column says how important it is,
whether its text may wrap and how narrow it may get; :func:`fit` keeps the most important
columns that fit at their smallest, drops the rest (least important first) and gives the
spare width to the wrapping columns. The caller prints a note naming what was dropped.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import RenderableType


@dataclass(frozen=True)
class Col:
    """One column: its header, its rank (0 = most important, kept longest) and how it may shrink."""

    header: str
    rank: int
    wrap: bool = False  # text folds onto more lines (otherwise it is shown whole, on one line)
    min_width: int = 0  # the narrowest a wrapping column may become (cells)
    max_width: int | None = None  # the widest a wrapping column grows to (cells)
    justify: str = "left"


# A table with a heavy box: a border left and right of every column, one space of padding each side.
EDGE = 1
PER_COLUMN = 3


def _cells(value: Any) -> int:
    from rich.cells import cell_len

    text = value.plain if hasattr(value, "plain") else str(value)
    return max((cell_len(line) for line in text.split("\n")), default=0)


def fit(cols: Sequence[Col], rows: Sequence[Sequence[Any]], width: int) -> tuple[list[int], list[int]]:
    """Which columns to show (indexes, in their order) and the width of each, for ``width`` cells.

    Never drops the most important column; when even that does not fit, the table is as
    narrow as the columns allow and the terminal wraps it.
    """
    natural = [max([_cells(c.header)] + [_cells(r[i]) for r in rows]) for i, c in enumerate(cols)]
    need = [min(natural[i], max(c.min_width, _cells(c.header), 1)) if c.wrap else natural[i]  # a header never wraps
            for i, c in enumerate(cols)]
    kept = list(range(len(cols)))

    def used(indexes: list[int]) -> int:
        return EDGE + sum(need[i] + PER_COLUMN for i in indexes)

    while len(kept) > 1 and used(kept) > width:
        kept.remove(max(kept, key=lambda i: cols[i].rank))
    widths = {i: need[i] for i in kept}
    spare = width - used(kept)
    for i in sorted(kept, key=lambda i: cols[i].rank):  # the more important wrapping columns grow first
        if spare <= 0:
            break
        if cols[i].wrap:
            top = natural[i] if cols[i].max_width is None else min(natural[i], max(cols[i].max_width, need[i]))
            grow = min(spare, top - widths[i])
            if grow > 0:
                widths[i] += grow
                spare -= grow
    return kept, [widths[i] for i in kept]


# Chinese line breaking (GB/T 15834 punctuation, the usual 禁则): these never begin a line …
_NO_START = frozenset("，。、；：！？）》」』】〕〉”’…—·%‰,.;:!?)]}")
# … and these never end one.
_NO_END = frozenset("（《「『【〔〈“‘([{")
# A run of Latin letters, digits and the marks inside numbers and codes stays on one line when it fits.
_TOKEN = re.compile(r"[0-9A-Za-z_.:/\-]+|.", re.S)


SHORT_WORD = 10  # cells: “挂牌督办” moves down whole after its “3 ”; a sentence after a space does not


def _break_offsets(text: str, width: int) -> list[int]:
    """Where to break ``text`` (one paragraph) into lines of at most ``width`` cells, keeping
    numbers and codes whole and no line starting with a closing mark or ending with an opening one."""
    from rich.cells import cell_len

    tokens = [(m.start(), m.group(), cell_len(m.group())) for m in _TOKEN.finditer(text)]
    pieces: list[tuple[int, str, int]] = []
    for start, tok, w in tokens:  # a run wider than the line is cut where it must be
        if w > width and len(tok) > 1:
            pieces += [(start + k, ch, cell_len(ch)) for k, ch in enumerate(tok)]
        else:
            pieces.append((start, tok, w))
    offsets: list[int] = []
    line: list[tuple[int, str, int]] = []
    used = 0
    for n, piece in enumerate(pieces):
        if line and used + piece[2] > width:
            carry: list[tuple[int, str, int]] = []
            space = max((k for k, p in enumerate(line) if p[1] == " "), default=-1)
            if space >= 0 and piece[1] != " ":  # a space-separated word that fits a line moves down whole
                word = line[space + 1:]
                rest = word + list(itertools.takewhile(lambda p: p[1] != " ", pieces[n:]))
                if sum(p[2] for p in rest) <= min(width, SHORT_WORD):
                    carry, line = word, line[:space + 1]
            # pull a character down rather than start the line with a closing mark (once or twice)
            while len(line) > 1 and len(carry) < 2 and ((carry or [piece])[0][1][0] in _NO_START):
                carry.insert(0, line.pop())
            while len(line) > 1 and line[-1][1][-1] in _NO_END:
                carry.insert(0, line.pop())
            offsets.append((carry or [piece])[0][0])
            line = carry
            used = sum(p[2] for p in carry)
        if not line and piece[1] == " ":
            continue  # no line starts with a space
        line.append(piece)
        used += piece[2]
    return offsets


def wrap_cell(value: Any, width: int) -> Any:
    """The cell's text broken into lines of ``width`` cells by the rules above (a Rich Text keeps its styles)."""
    from rich.text import Text

    text = value if isinstance(value, Text) else Text(str(value))
    plain = text.plain
    offsets: list[int] = []
    at = 0
    for paragraph in plain.split("\n"):
        offsets += [at + o for o in _break_offsets(paragraph, width)]
        at += len(paragraph) + 1
    if not offsets:
        return value
    lines = list(text.divide(offsets))
    for line in lines:
        line.rstrip()  # in place
    joined = Text("\n").join(lines)
    return joined if isinstance(value, Text) else joined.plain


def dropped_note(cols: Sequence[Col], kept: Sequence[int]) -> str | None:
    """“另有2列（来源、最近反馈）未显示，加宽终端或用 --format json” — or None when all are shown."""
    left_out = [c.header for i, c in enumerate(cols) if i not in kept]
    if not left_out:
        return None
    return f"另有{len(left_out)}列（{'、'.join(left_out)}）未显示，加宽终端或用 --format json"


def fitted_table(cols: Sequence[Col], rows: Sequence[Sequence[Any]], width: int,
                 title: str | None = None, title_justify: str = "center",
                 section_ends: Collection[int] = ()) -> "RenderableType":
    """A Rich table of ``rows`` fitted to ``width`` cells, followed by the note when columns were dropped.

    A rule is drawn under each row whose index is in ``section_ends`` (a 合计 row, say).
    """
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    kept, widths = fit(cols, rows, width)
    table = Table(title=title, header_style="bold", title_justify=title_justify)  # type: ignore[arg-type]
    for i, w in zip(kept, widths):
        col = cols[i]
        table.add_column(col.header, justify=col.justify, width=w, min_width=w, max_width=w,  # type: ignore[arg-type]
                         no_wrap=not col.wrap, overflow="fold")
    wraps = {i: w for i, w in zip(kept, widths) if cols[i].wrap}
    for n, row in enumerate(rows):
        table.add_row(*(wrap_cell(row[i], wraps[i]) if i in wraps and row[i] is not None else row[i] for i in kept),
                      end_section=n in section_ends)
    note = dropped_note(cols, kept)
    if note is None:
        return table
    return Group(table, Text(note, style="dim"))


class Fitted:
    """A table fitted when it is printed, to the width the console gives it (a terminal or a file)."""

    def __init__(self, cols: Sequence[Col], rows: Sequence[Sequence[Any]], title: str | None = None):
        self.cols, self.rows, self.title = cols, rows, title

    def __rich_console__(self, console: Any, options: Any) -> Any:
        yield fitted_table(self.cols, self.rows, options.max_width, title=self.title or None)
