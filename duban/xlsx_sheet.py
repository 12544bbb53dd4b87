"""The workbook side of duban import: is the file a readable xlsx, where is the header,
which column is which field, and the text of a cell (DOMAIN.md §8).

Nothing here knows about the ledger; :mod:`duban.importer` turns the rows into items.
openpyxl is imported only inside the functions that need it.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InvalidInput, UsageError

HEADER_SCAN_ROWS = 30


# -- the columns duban understands -----------------------------------------------------------


@dataclass(frozen=True)
class Field:
    code: str
    label: str
    synonyms: tuple[str, ...]


FIELDS = (
    Field("seq", "序号", ("序号", "编号", "序")),
    Field("title", "督办事项", ("督办事项", "工作任务", "事项名称", "督查事项", "督办任务", "重点任务", "任务名称",
                              "事项", "工作事项", "任务", "督办内容", "重点工作")),
    Field("lead", "牵头单位", ("牵头单位", "责任单位", "主办单位", "牵头部门", "责任部门", "承办单位", "牵头责任单位")),
    Field("co", "配合单位", ("配合单位", "协办单位", "配合部门", "协办部门", "协助单位", "参与单位")),
    Field("due", "完成时限", ("完成时限", "办理时限", "时间节点", "完成时间", "时限", "办结时限", "完成期限",
                            "时限要求", "完成时限要求")),
    Field("leader", "牵头领导", ("牵头领导", "分管领导", "责任领导", "包抓领导", "包联领导", "牵头市领导")),
    Field("progress", "进展情况", ("进展情况", "办理情况", "推进情况", "工作进展", "进度情况", "落实情况",
                                 "办理进展", "目前进展")),
    Field("source", "来源", ("来源", "立项依据", "事项来源", "任务来源", "督办来源")),
    Field("ref", "文号", ("文号", "批示文号", "文件文号", "批示件编号")),
    Field("note", "备注", ("备注",)),
    Field("assigned_on", "交办时间", ("交办时间", "登记日期", "交办日期", "登记时间", "立项时间", "立项日期")),
    Field("status", "办理状态", ("办理状态", "状态", "完成状态", "是否办结", "办结状态")),
    Field("content", "办理要求", ("办理要求", "工作要求", "具体要求", "主要内容", "具体内容", "工作内容")),
    Field("standard", "完成标准", ("完成标准", "目标要求")),
    Field("person", "责任人", ("责任人", "具体责任人")),
    Field("klass", "类别", ("类别", "事项类别", "督办类别")),
)
IGNORE = "ignore"
FIELD_BY_CODE = {f.code: f for f in FIELDS}


def header_key(text: object) -> str:
    """A header cell as compared: NFKC, no blanks, no (notes) or 【】, no * or trailing colon."""
    if text is None:
        return ""
    value = unicodedata.normalize("NFKC", str(text))
    value = re.sub(r"\s+", "", value)
    value = re.sub(r"\([^)]*\)|【[^】]*】|\[[^\]]*\]", "", value)
    return value.strip("*:：")


SYNONYMS = {header_key(s): f.code for f in FIELDS for s in f.synonyms}


def field_code(name: str) -> str:
    """A --map target: a field's English code, Chinese label or any header synonym; or ignore."""
    value = (name or "").strip()
    if value.lower() in FIELD_BY_CODE:
        return value.lower()
    if value.lower() in (IGNORE, "忽略", "不导入", "skip"):
        return IGNORE
    if value == "class":
        return "klass"
    code = SYNONYMS.get(header_key(value))
    if code is None:
        choices = "、".join(f"{f.label}({'class' if f.code == 'klass' else f.code})" for f in FIELDS)
        raise UsageError(f"--map 的字段“{name}”无法识别，可选：{choices}、忽略(ignore)")
    return code


def parse_map(texts: Iterable[str]) -> dict[str, str]:
    """``--map 列名=字段`` options → normalised column header → field code."""
    mapping = {}
    for text in texts:
        parts = re.split(r"[=＝]", text, maxsplit=1)
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            raise UsageError(f"--map 应为“列名=字段”，如 --map 主要任务=督办事项，收到“{text}”")
        mapping[header_key(parts[0])] = field_code(parts[1])
    return mapping


# -- the file ----------------------------------------------------------------------------------

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def check_file(path: Path) -> None:
    """Refuse, with a clear Chinese reason, anything that is not a readable .xlsx file."""
    if not path.exists():
        raise InvalidInput(f"文件不存在：{path}")
    if path.is_dir():
        raise InvalidInput(f"{path} 是目录，不是 Excel 文件")
    try:
        with open(path, "rb") as fh:
            head = fh.read(65536)
    except OSError as exc:
        raise InvalidInput(f"无法读取文件 {path}：{exc.strerror or exc}") from None
    if not head:
        raise InvalidInput(f"文件 {path} 是空文件（0 字节），不是 Excel 工作簿")
    if head.startswith(_OLE2):
        if "EncryptionInfo".encode("utf-16-le") in head or "EncryptedPackage".encode("utf-16-le") in head:
            raise InvalidInput(f"文件 {path} 设有打开密码（已加密），无法读取：请在 Excel 中取消密码"
                               "（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码）后另存为 .xlsx 再导入")
        raise InvalidInput(f"文件 {path} 是旧版 Excel 97-2003（.xls）格式或其他 Office 复合文档，"
                           "不是 .xlsx：请在 Excel 或 WPS 中“另存为” Excel 工作簿（*.xlsx）后再导入")
    if not head.startswith(b"PK"):
        if _looks_like_text(head):
            raise InvalidInput(f"文件 {path} 是文本文件（如 CSV），只是扩展名为 .xlsx：请在 Excel 或 WPS 中打开后"
                               "“另存为” Excel 工作簿（*.xlsx）再导入")
        raise InvalidInput(f"文件 {path} 不是 Excel 工作簿（.xlsx），内容无法识别")


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


def broken(path: Path, exc: BaseException) -> InvalidInput:
    return InvalidInput(f"无法读取 Excel 文件 {path}：文件已损坏或不是 .xlsx 工作簿（{type(exc).__name__}: {exc}）"
                        "；请在 Excel 或 WPS 中打开确认后另存为 .xlsx 再导入")


# Errors openpyxl (or the XML and zip layers under it) raise for a damaged or foreign file.
def reading_errors() -> tuple[type[BaseException], ...]:
    from xml.etree.ElementTree import ParseError

    from openpyxl.utils.exceptions import InvalidFileException

    errors: list[type[BaseException]] = [zipfile.BadZipFile, zipfile.LargeZipFile, InvalidFileException, KeyError,
                                         ParseError, ValueError, TypeError, IndexError, EOFError, OSError]
    try:
        from lxml.etree import LxmlError  # present when openpyxl uses lxml
        errors.append(LxmlError)
    except ImportError:
        pass
    return tuple(errors)


def merged_ranges(wb: Any, ws: Any) -> list[tuple[int, int, int, int]]:
    """The sheet's merged ranges (min_col, min_row, max_col, max_row).

    openpyxl's read-only worksheets do not load them, so read the <mergeCells> block,
    which follows the cell data in the sheet's XML.
    """
    from openpyxl.utils.cell import range_boundaries

    try:
        xml = wb._archive.read(ws._worksheet_path)
    except (AttributeError, KeyError, zipfile.BadZipFile):
        return []
    end = xml.rfind(b"sheetData")
    found = []
    for ref in re.findall(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]+\d+(?::[A-Z]+\d+)?)\"", xml[max(end, 0):]):
        try:
            found.append(range_boundaries(ref.decode()))
        except ValueError:
            continue
    return found


# -- cells and the header --------------------------------------------------------------------


def cell_text(value: object) -> str:
    """A cell's value as text: stripped, 3.0 → "3", a date → ISO, None → ""."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    return str(value).strip()


def one_line(text: str) -> str:
    """A title typed with Alt+Enter line breaks → one line."""
    if "\n" not in text and "\r" not in text:
        return text
    return re.sub(r"\s*[\r\n]+\s*", "", text).strip()


@dataclass
class Header:
    """Where a sheet's header is and what each of its columns holds."""

    row: int  # 1-based row of the (last) header row
    found: dict[int, str]  # 0-based column → field code (or ignore)
    names: dict[int, str]  # column → header text as written
    unknown: list[str]
    titles: list[str]  # text above the header (title rows)
    columns: dict[str, int] = field(default_factory=dict)  # field code → column, once checked


def column_name(col: int) -> str:
    """0-based column → its Excel letter (0 → A)."""
    from openpyxl.utils.cell import get_column_letter

    return get_column_letter(col + 1)


def _match_header(values: Sequence[object], mapping: dict[str, str]) -> dict[int, str]:
    found = {}
    for i, value in enumerate(values):
        key = header_key(value)
        if not key:
            continue
        code = mapping.get(key) or SYNONYMS.get(key)
        if code is not None:
            found[i] = code
    return found


def find_header(rows: Iterator[tuple[int, tuple]], mapping: dict[str, str]) -> tuple[Header | None, list]:
    """Scan the top rows for the header (at least two known columns, one of them 事项 or 单位).

    A next row made only of header names (牵头单位 | 配合单位 under a merged 责任单位) is a
    second header row and refines the first. Returns the header and the rows read past it.
    """
    titles: list[str] = []
    for index, values in rows:
        if index > HEADER_SCAN_ROWS:
            return None, []
        found = _match_header(values, mapping)
        codes = set(found.values()) - {IGNORE}
        if len(codes) >= 2 and codes & {"title", "lead"}:
            names = {i: one_line(cell_text(values[i])) for i in found}
            header_row, pending = index, []
            nxt = next(rows, None)
            if nxt is not None:
                sub = _match_header(nxt[1], mapping)
                filled = [i for i, v in enumerate(nxt[1]) if cell_text(v)]
                if sub and len(sub) == len(filled):
                    found.update(sub)
                    names.update({i: one_line(cell_text(nxt[1][i])) for i in sub})
                    header_row = nxt[0]
                else:
                    pending.append(nxt)
            unknown = [one_line(cell_text(v)) for i, v in enumerate(values) if cell_text(v) and i not in found]
            return Header(header_row, found, names, unknown, titles), pending
        titles.extend(cell_text(v) for v in values if isinstance(v, str) and v.strip())
    return None, []


# -- reading rows --------------------------------------------------------------------------------


def chain_rows(pending: list, rows: Iterator) -> Iterator[tuple[int, tuple]]:
    """The rows read past the header while looking for it, then the rest."""
    yield from pending
    yield from rows


def read_rows(rows: Iterator[tuple], path: Path) -> Iterator[tuple]:
    """openpyxl's rows; an error from inside openpyxl (a damaged sheet) becomes a clear one."""
    errors = reading_errors()
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except errors as exc:
            raise broken(path, exc) from None
        yield values
