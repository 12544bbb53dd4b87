"""Reading a workbook for duban import and collect: which file it is, whether it may be
loaded, and each sheet's rows as plain values (DOMAIN.md §8).

Every format an office sends is read with python-calamine (Rust, imported only here):
.xlsx, .xlsm (Excel), .xls (Excel 97-2003, still the default of many WPS installs), .et
(WPS) and .ods (LibreOffice/WPS). openpyxl stays for writing. calamine gives values and
merged ranges for every format; it does not report hidden rows and columns, so for the
Office Open XML formats (.xlsx/.xlsm) they are read from the sheet's XML, which is scanned
anyway to count its cells before anything is loaded. For .xls/.et/.ods hidden rows and
columns are not detected (README, 导入).

What a sheet gives (:class:`SheetData`): 1-based rows of values (None for an empty cell,
and for every cell covered by a merged range — Excel and WPS show only the merge's first
cell, so text left under a merge is never read), the merged ranges, the hidden rows and
columns.

Limits (refused before loading, with the reason): a file over ``MAX_FILE_BYTES``; an
.xlsx/.xlsm/.ods whose uncompressed parts exceed ``MAX_UNCOMPRESSED_BYTES``; a sheet whose
used area (first to last filled row × column) exceeds ``MAX_CELLS``.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InvalidInput

MAX_FILE_BYTES = 50 * 1024 * 1024  # 50 MB on disk
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024  # 200 MB of XML once unzipped
MAX_CELLS = 1_000_000  # rows × columns of one sheet's used area (e.g. 50,000 rows × 20 columns)

FORMATS = "Excel（.xlsx、.xlsm、.xls）、WPS（.et）或 OpenDocument（.ods）"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_REFUSED = "台账不变"


def _mb(n: int) -> str:
    return f"{n // (1024 * 1024)} MB"


def check_file(path: Path) -> str:
    """Refuse, with a clear Chinese reason, anything that is not a readable workbook within
    the limits. Returns the kind: ``ooxml`` (.xlsx/.xlsm), ``ods`` or ``ole2`` (.xls/.et)."""
    if not path.exists():
        raise InvalidInput(f"文件不存在：{path}")
    if path.is_dir():
        raise InvalidInput(f"{path} 是目录，不是 Excel 文件")
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(65536)
    except OSError as exc:
        raise InvalidInput(f"无法读取文件 {path}：{exc.strerror or '系统拒绝读取'}") from None
    if not head:
        raise InvalidInput(f"文件 {path} 是空文件（0 字节），不是 Excel 工作簿")
    if size > MAX_FILE_BYTES:
        raise InvalidInput(f"文件 {path} 有 {size / 1024 / 1024:.0f} MB，超过导入上限 {_mb(MAX_FILE_BYTES)}："
                           "请按年度或工作表拆分后分别导入")
    if head.startswith(_OLE2):
        if "EncryptionInfo".encode("utf-16-le") in head or "EncryptedPackage".encode("utf-16-le") in head:
            raise _encrypted(path)
        return "ole2"
    if head.startswith(b"PK"):
        return _check_zip(path)
    if _looks_like_text(head):
        raise InvalidInput(f"文件 {path} 是文本文件（如 CSV），不是 Excel 工作簿：请在 Excel 或 WPS 中打开后"
                           "“另存为” Excel 工作簿（*.xlsx）再导入")
    raise InvalidInput(f"文件 {path} 不是 {FORMATS} 工作簿，内容无法识别")


def _encrypted(path: Path) -> InvalidInput:
    return InvalidInput(f"文件 {path} 设有打开密码（已加密），无法读取：请在 Excel 或 WPS 中取消密码"
                        "（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码）后保存，再导入")


def _check_zip(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            kind = "ods" if "content.xml" in names and "mimetype" in names else "ooxml"
            if kind == "ooxml" and "xl/workbook.xml" not in names:
                raise InvalidInput(f"文件 {path} 是压缩包，但不是 Excel 工作簿（缺少 xl/workbook.xml）")
            total = sum(i.file_size for i in infos)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        raise InvalidInput(f"无法读取文件 {path}：文件已损坏或不完整（不是有效的 Excel 压缩包）；"
                           "请在 Excel 或 WPS 中打开确认后重新保存再导入") from None
    if total > MAX_UNCOMPRESSED_BYTES:
        raise InvalidInput(f"文件 {path} 解压后有 {total / 1024 / 1024:.0f} MB，超过导入上限 "
                           f"{_mb(MAX_UNCOMPRESSED_BYTES)}（可能是异常文件或格式设置到了整张表）：未读取，{_REFUSED}")
    return kind


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def broken(path: Path) -> InvalidInput:
    return InvalidInput(f"无法读取文件 {path}：文件已损坏或不是 {FORMATS} 工作簿；"
                        "请在 Excel 或 WPS 中打开确认后重新保存再导入")


# -- the sheets -------------------------------------------------------------------------------


@dataclass
class SheetData:
    name: str
    visible: bool
    chart: bool
    rows: list[tuple[int, tuple]] = field(default_factory=list)  # (1-based row, values)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # (min_col, min_row, max_col, max_row), 1-based
    hidden_rows: set[int] = field(default_factory=set)  # 1-based
    hidden_cols: set[int] = field(default_factory=set)  # 0-based


class Workbook:
    """An open workbook: its sheets' names, and each sheet read on demand."""

    def __init__(self, path: Path):
        self.path = path
        self.kind = check_file(path)
        self._parts: dict[str, str] = {}
        import python_calamine as pc

        self._pc = pc
        try:  # from a file object: calamine then tells the format by content, not by the name
            with open(path, "rb") as fh:
                self._wb = pc.CalamineWorkbook.from_filelike(fh)
            self.meta = list(self._wb.sheets_metadata)
        except pc.PasswordError:
            raise _encrypted(path) from None
        except Exception:  # calamine's own errors (CalamineError, XmlError, ZipError) and anything below them
            raise broken(path) from None
        if self.kind == "ooxml":
            self._parts = _ooxml_sheet_parts(path)

    @property
    def names(self) -> list[str]:
        return [m.name for m in self.meta]

    def sheet(self, name: str) -> SheetData:
        meta = next(m for m in self.meta if m.name == name)
        pc = self._pc
        visible = meta.visible == pc.SheetVisibleEnum.Visible
        if meta.typ != pc.SheetTypeEnum.WorkSheet:
            return SheetData(name, visible, chart=True)
        hidden_rows: set[int] = set()
        hidden_cols: set[int] = set()
        part = self._parts.get(name)
        if part is not None:
            hidden_rows, hidden_cols = _scan_ooxml_sheet(self.path, part, name)
        try:
            ws = self._wb.get_sheet_by_name(name)
            if ws.height * ws.width > MAX_CELLS:
                raise _too_many(self.path, name, ws.height, ws.width)
            rows = _rows(ws)
            merges = [(c0 + 1, r0 + 1, c1 + 1, r1 + 1) for (r0, c0), (r1, c1) in (ws.merged_cell_ranges or [])]
        except InvalidInput:
            raise
        except pc.PasswordError:
            raise _encrypted(self.path) from None
        except Exception:
            raise broken(self.path) from None
        return SheetData(name, visible, False, _blank_covered(rows, merges), merges, hidden_rows, hidden_cols)

    def close(self) -> None:
        try:
            self._wb.close()
        except Exception:  # closing twice or after a failed read: nothing left to release
            pass


def _too_many(path: Path, name: str, height: int, width: int) -> InvalidInput:
    return InvalidInput(f"文件 {path} 的工作表“{name}”使用区域为 {height} 行 × {width} 列，超过导入上限 "
                        f"{MAX_CELLS:,} 个单元格：未读取，{_REFUSED}（请删去多余的行列或拆分工作表）")


def _rows(ws: Any) -> list[tuple[int, tuple]]:
    """calamine's rows as (1-based row, values with None for empty); a row is padded on the left
    to column A (calamine starts each row at the first used column)."""
    start = ws.start
    pad = (None,) * (start[1] if start else 0)
    out = []
    append = out.append
    for index, values in enumerate(ws.iter_rows(), start=1):
        if "" in values:
            values = tuple([None if v == "" else v for v in values])
        else:
            values = tuple(values)
        append((index, pad + values if pad else values))
    return out


def _blank_covered(rows: list[tuple[int, tuple]], merges: list[tuple[int, int, int, int]]) -> list[tuple[int, tuple]]:
    """Every cell inside a merged range but its first reads as empty (Excel never shows it)."""
    if not merges:
        return rows
    covered: dict[int, list[tuple[int, int, int]]] = {}  # row → [(first col, last col, merge's first col)]
    for c0, r0, c1, r1 in merges:
        for r in range(r0, r1 + 1):
            covered.setdefault(r, []).append((c0, c1, c0 if r == r0 else 0))
    out = []
    for index, values in rows:
        spans = covered.get(index)
        if spans:
            cells = list(values)
            for c0, c1, keep in spans:
                for c in range(c0, min(c1, len(cells)) + 1):
                    if c != keep:
                        cells[c - 1] = None
            values = tuple(cells)
        out.append((index, values))
    return out


# -- .xlsx/.xlsm: the sheet parts, hidden rows and columns, the used area ----------------------

_SHEET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"|'
                    rb'<(?:\w+:)?sheet\b[^>]*?\br:id="([^"]*)"[^>]*?\bname="([^"]*)"')
_REL = re.compile(rb'<(?:\w+:)?Relationship\b[^>]*?\bId="([^"]*)"[^>]*?\bTarget="([^"]*)"|'
                  rb'<(?:\w+:)?Relationship\b[^>]*?\bTarget="([^"]*)"[^>]*?\bId="([^"]*)"')
_HIDDEN_ROW = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"[^>]*?\bhidden="(?:1|true)"|'
                         rb'<(?:\w+:)?row\b[^>]*?\bhidden="(?:1|true)"[^>]*?\br="(\d+)"')
_COL = re.compile(rb"<(?:\w+:)?col\b([^>]*)>")
# any "row …r=" (with or without a namespace prefix, or even inside a text): only ever more than the rows,
# never fewer, and four times as fast as anchoring it at "<" (the limit is then measured exactly)
_ROW_NUMBER = re.compile(rb'row [^>]*?\br="(\d+)"')
_CELL_LETTERS = re.compile(rb' r="([A-Z]{1,3})\d')
_VALUE_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})(\d+)"[^>]*?(?<!/)>')


def _unescape(raw: bytes) -> str:
    """An attribute's text with the five XML entities replaced (as xml.sax.saxutils.unescape with
    &quot; and &apos;, whose import pulls in urllib.request and the email package: ~40 ms)."""
    text = raw.decode("utf-8", "replace")
    if "&" not in text:
        return text
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&")):
        text = text.replace(entity, char)
    return text


def _ooxml_sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name → its XML part, from workbook.xml and its relationships."""
    try:
        with zipfile.ZipFile(path) as zf:
            book = zf.read("xl/workbook.xml")
            rels = zf.read("xl/_rels/workbook.xml.rels")
    except (KeyError, zipfile.BadZipFile, OSError):
        return {}
    targets = {}
    for m in _REL.finditer(rels):
        rid, target = (m.group(1), m.group(2)) if m.group(1) is not None else (m.group(4), m.group(3))
        t = _unescape(target)
        targets[rid] = t.lstrip("/") if t.startswith("/") else "xl/" + t
    parts = {}
    for m in _SHEET.finditer(book):
        name, rid = (m.group(1), m.group(2)) if m.group(1) is not None else (m.group(4), m.group(3))
        if rid in targets:
            parts[_unescape(name)] = targets[rid]
    return parts


def _scan_ooxml_sheet(path: Path, part: str, name: str) -> tuple[set[int], set[int]]:
    """Hidden rows and columns of one sheet, after checking its used area against MAX_CELLS
    (calamine allocates the whole area, so a far-away cell must be refused before loading)."""
    try:
        with zipfile.ZipFile(path) as zf:
            xml = zf.read(part)
    except (KeyError, zipfile.BadZipFile, OSError):
        return set(), set()
    # quick and generous first: every row element and every cell's column letters (also cells
    # that only carry formatting); only when that exceeds the limit are the cells with a value
    # measured exactly (calamine skips valueless cells)
    row_numbers = [int(r) for r in _ROW_NUMBER.findall(xml)]
    letters = set(_CELL_LETTERS.findall(xml))
    if row_numbers and letters and _area(row_numbers, letters) > MAX_CELLS:
        rows: list[int] = []
        valued: set[bytes] = set()
        for col, row in _VALUE_CELL.findall(xml):
            valued.add(col)
            rows.append(int(row))
        if rows and _area(rows, valued) > MAX_CELLS:
            numbers = [_col_number(c) for c in valued]
            raise _too_many(path, name, max(rows) - min(rows) + 1, max(numbers) - min(numbers) + 1)
    hidden_rows: set[int] = set()
    hidden_cols: set[int] = set()
    if b'hidden="' not in xml:  # nothing hidden (the usual case): no need to look at every element
        return hidden_rows, hidden_cols
    hidden_rows = {int(m.group(1) or m.group(2)) for m in _HIDDEN_ROW.finditer(xml)}
    for m in _COL.finditer(xml):
        attrs = m.group(1)
        if re.search(rb'\bhidden="(?:1|true)"', attrs):
            lo = re.search(rb'\bmin="(\d+)"', attrs)
            hi = re.search(rb'\bmax="(\d+)"', attrs)
            if lo and hi:
                first, last = int(lo.group(1)), min(int(hi.group(1)), 16384)
                hidden_cols.update(range(first - 1, last))
    return hidden_rows, hidden_cols


def _area(rows: list[int], letters: set[bytes]) -> int:
    numbers = [_col_number(c) for c in letters]
    return (max(rows) - min(rows) + 1) * (max(numbers) - min(numbers) + 1)


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n
