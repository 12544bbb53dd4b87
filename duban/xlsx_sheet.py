"""The header side of duban import: the one vocabulary of column names, where a sheet's
header is, which column is which field, and the text of a cell (DOMAIN.md §8).

``FIELDS`` is the only list of column names duban understands: ``duban import --columns``
prints it, the README's table is generated from it, ``--map`` resolves against it.
Reading the file is :mod:`duban.sheet_reader`; :mod:`duban.importer` turns rows into items.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from .errors import UsageError

HEADER_SCAN_ROWS = 30


# -- the columns duban understands -----------------------------------------------------------


@dataclass(frozen=True)
class Field:
    code: str
    label: str
    synonyms: tuple[str, ...]


FIELDS = (
    Field("title", "督办事项", ("督办事项", "工作任务", "事项名称", "督查事项", "督办任务", "重点任务", "任务名称",
                              "事项", "工作事项", "任务", "督办内容", "重点工作", "待办事项", "问题简述", "问题描述",
                              "决定事项", "议定事项")),
    Field("lead", "牵头单位", ("牵头单位", "责任单位", "主办单位", "牵头部门", "责任部门", "承办单位", "牵头责任单位",
                             "所属责任公司", "责任公司", "牵头处室", "责任处室")),
    Field("co", "配合单位", ("配合单位", "协办单位", "配合部门", "协办部门", "协助单位", "参与单位")),
    Field("due", "完成时限", ("完成时限", "办理时限", "时间节点", "完成时间", "时限", "办结时限", "完成期限",
                            "时限要求", "完成时限要求", "计划完成时间", "目标设定完成时间", "目标完成时间", "截止时间", "截止日期")),
    Field("leader", "牵头领导", ("牵头领导", "分管领导", "责任领导", "包抓领导", "包联领导", "牵头市领导", "整改责任领导")),
    Field("progress", "进展情况", ("进展情况", "办理情况", "推进情况", "工作进展", "进度情况", "落实情况",
                                 "办理进展", "目前进展", "最近进展")),
    Field("source", "来源", ("来源", "立项依据", "事项来源", "任务来源", "督办来源", "问题来源")),
    Field("ref", "文号", ("文号", "批示文号", "文件文号", "批示件编号")),
    Field("item_id", "事项编号", ("事项编号",)),
    Field("ident", "编号", ("问题编号", "任务编号", "编号", "督办编号", "督办单号")),
    Field("seq", "序号", ("序号", "序")),
    Field("note", "备注", ("备注",)),
    Field("assigned_on", "交办时间", ("交办时间", "登记日期", "交办日期", "登记时间", "立项时间", "立项日期", "形成时间")),
    Field("status", "办理状态", ("办理状态", "状态", "完成状态", "是否办结", "办结状态", "是否整改完成", "是否完成")),
    Field("content", "办理要求", ("办理要求", "工作要求", "具体要求", "主要内容", "具体内容", "工作内容", "整改计划及措施",
                                "整改措施", "工作计划")),
    Field("standard", "完成标准", ("完成标准", "目标要求")),
    Field("person", "责任人", ("责任人", "具体责任人", "整改责任人", "部门责任人")),
    Field("klass", "类别", ("类别", "事项类别", "督办类别")),
    Field("ignore", "不导入", ("亮灯", "剩余/逾期工作日", "剩余工作日", "逾期工作日")),  # computed by duban (export)
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


# -- the vocabulary, printed (duban import --columns) and in docs/Excel.md ---------------------------


def vocabulary_rows() -> list[tuple[str, str, str]]:
    """(字段, code, 能识别的列名) for every field: the one table `--columns` and docs/Excel.md show."""
    return [(f.label, "class" if f.code == "klass" else f.code, "、".join(f.synonyms)) for f in FIELDS]


def vocabulary_markdown() -> str:
    """The import vocabulary table of docs/Excel.md (tests/test_import_robust.py compares them)."""
    lines = ["| 字段 | 代码 | 能识别的列名 |", "|---|---|---|"]
    lines += [f"| {label} | {code} | {names} |" for label, code, names in vocabulary_rows()]
    return "\n".join(lines)


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
    """0-based column → its Excel letter (0 → A, 26 → AA)."""
    n, letters = col + 1, ""
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


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


PLACEHOLDER = re.compile(r"\$\{[^}]*\}|</?jx:|#\{[^}]*\}|\{\{[^}]*\}\}")


def is_placeholder(value: object) -> bool:
    """A template's placeholder cell: ``${data.x}``, ``<jx:forEach …>``, ``#{x}``, ``{{x}}``."""
    return value.__class__ is str and PLACEHOLDER.search(value) is not None  # type: ignore[arg-type]


def find_header(rows: Iterator[tuple[int, tuple]], mapping: dict[str, str],
                merges: Sequence[tuple[int, int, int, int]] = ()) -> tuple[Header | None, list, list[str]]:
    """Scan the top rows for the header (at least two known columns, one of them 事项 or 单位).

    A header whose cells are merged down over several rows ends at the merge's last row; a
    next row made only of header names (牵头单位 | 配合单位 under a merged 责任单位) is a
    second header row and refines the first. Returns the header, the rows read past it and,
    when there is none, the header-like cells seen (the row with the most short texts).
    """
    titles: list[str] = []
    seen: list[str] = []
    for index, values in rows:
        if index > HEADER_SCAN_ROWS:
            break
        found = _match_header(values, mapping)
        codes = set(found.values()) - {IGNORE}
        if len(codes) >= 2 and codes & {"title", "lead"}:
            names = {i: one_line(cell_text(values[i])) for i in found}
            span_end = max([r1 for c0, r0, c1, r1 in merges if r0 == index and c0 - 1 in found] or [index])
            header_row, pending = index, []
            for nxt in rows:
                sub = _match_header(nxt[1], mapping)
                filled = [i for i, v in enumerate(nxt[1]) if cell_text(v)]
                if sub and len(sub) == len(filled):  # a row of header names only
                    found.update(sub)
                    names.update({i: one_line(cell_text(nxt[1][i])) for i in sub})
                    header_row = nxt[0]
                elif nxt[0] <= span_end:
                    header_row = nxt[0]
                else:
                    pending.append(nxt)
                    break
                if nxt[0] >= span_end:
                    break
            unknown = [one_line(cell_text(v)) for i, v in enumerate(values) if cell_text(v) and i not in found]
            return Header(header_row, found, names, unknown, titles), pending, []
        texts = [one_line(cell_text(v)) for v in values
                 if isinstance(v, str) and v.strip() and len(v.strip()) <= 30 and not is_placeholder(v)]
        if len(texts) > len(seen):
            seen = texts
        titles.extend(cell_text(v) for v in values if isinstance(v, str) and v.strip())
    return None, [], seen
