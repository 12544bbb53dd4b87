"""What a clerk does beside the life of an item: correct it (``duban edit``) and find it
(``duban list --grep/--leader/--ref/--class/--sort``).

``edit`` writes one `amended` event through the ledger's own transaction and
:func:`duban.lifecycle.apply`, so the stored item is what the log replays to. The list
helpers are pure: they filter and order :class:`~duban.models.ItemView` values.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .errors import InvalidInput, InvalidTransition
from .models import EDITABLE_FIELDS, EventKind, Item, ItemClass, ItemView, Light, LightResult, Source, Status

if TYPE_CHECKING:  # pragma: no cover
    from .ledger import Ledger

SORTS = ("light", "due", "id")


# -- edit ----------------------------------------------------------------------------------------


def _current(item: Any, key: str) -> str | None:
    if key == "class":
        return item.klass.code
    if key == "source":
        return item.source.code
    return getattr(item, key)


def _shown(key: str, code: str | None) -> str:
    if code is None or code == "":
        return "（空）"
    if key == "class":
        return ItemClass(code).label
    if key == "source":
        return Source(code).label
    return code


def edit(led: "Ledger", item_id: int, fields: dict[str, Any]) -> ItemView:
    """Correct the item's own fields: one `amended` event holding each old and new value.

    ``fields`` maps a key of :data:`~duban.models.EDITABLE_FIELDS` to its new value (None:
    leave it; "" clears an optional field). Values equal to the current ones are not changes.
    """
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(f"不能修改：{'、'.join(sorted(unknown))}")
    with led._write():
        item = led._load(item_id)
        led._check_date_order(item_id)
        changes: dict[str, dict[str, str | None]] = {}
        for key in EDITABLE_FIELDS:  # a fixed order, so the event reads the same whatever the call
            if key not in fields or fields[key] is None:
                continue
            new = fields[key]
            new = new.code if hasattr(new, "code") else (str(new).strip() or None)
            if key == "title" and new is None:
                raise InvalidInput("事项名称不能为空")
            old = _current(item, key)
            if new != old:
                changes[key] = {"old": old, "new": new}
        if not changes:
            raise InvalidInput(f"事项 #{item_id} 没有需要修改的内容（给出的值与现有相同）")
        detail = "修改：" + "；".join(
            f"{EDITABLE_FIELDS[k]}由“{_shown(k, v['old'])}”改为“{_shown(k, v['new'])}”" for k, v in changes.items())
        new_item = led._apply(item, EventKind.AMENDED, detail, data={"changes": changes})
        led.db.execute(
            "UPDATE items SET title = ?, source = ?, ref = ?, leader = ?, class = ?, content = ?, standard = ?"
            " WHERE id = ?",
            [new_item.title, new_item.source.code, new_item.ref, new_item.leader, new_item.klass.code,
             new_item.content, new_item.standard, item_id],
        )
    return led.item(item_id)


# -- find ----------------------------------------------------------------------------------------

_BRACKETS = str.maketrans({"〔": "[", "〕": "]", "［": "[", "］": "]", "【": "[", "】": "]", "(": "[", ")": "]",
                           "（": "[", "）": "]", "﹝": "[", "﹞": "]"})


def ref_key(text: str | None) -> str:
    """A 文号 as compared: 〔2026〕12号, [2026]12号 and （2026）12号 are the same; no blanks."""
    value = unicodedata.normalize("NFKC", text or "").translate(_BRACKETS)
    return re.sub(r"\s+", "", value).lower()


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"\s+", unicodedata.normalize("NFKC", text).strip().lower()) if w]


def matches(view: ItemView, grep: str | None = None, leader: str | None = None, ref: str | None = None,
            klass: ItemClass | None = None) -> bool:
    """Whether the item passes the finding filters (each word of ``grep`` somewhere in its text)."""
    item = view.item
    if klass is not None and item.klass is not klass:
        return False
    if leader and unicodedata.normalize("NFKC", leader).strip() not in unicodedata.normalize("NFKC", item.leader or ""):
        return False
    if ref and ref_key(ref) not in ref_key(item.ref):
        return False
    if grep:
        text = unicodedata.normalize("NFKC", " ".join(filter(None, [
            item.title, item.ref, item.leader, item.content, item.standard,
            *(a.unit for a in item.assignments), *(m.title for m in item.milestones)]))).lower()
        if not all(w in text for w in _words(grep)):
            return False
    return True


def ordered(views: Sequence[ItemView], sort: str = "light") -> list[ItemView]:
    """``light``: red first (the most overdue first), then by deadline (临期置顶, seeds/003:L237);
    ``due``: by deadline; ``id``: by number. Items without a deadline come after those with one."""
    if sort == "id":
        return sorted(views, key=lambda v: v.item.id)

    def by_due(v: ItemView) -> tuple:
        return (v.item.due is None, v.item.due or dt.date.max, v.item.id)

    if sort == "due":
        return sorted(views, key=by_due)

    def by_light(v: ItemView) -> tuple:
        red = v.light.light is Light.RED
        late = v.light.late_workdays or v.light.overdue_workdays or 0
        return (0 if red else 1, -late if red else 0, *by_due(v))

    return sorted(views, key=by_light)


# -- split (create --parent) ----------------------------------------------------------------------


def check_parent(parent: Item, today: dt.date) -> None:
    """An item may be split while it is still being worked on, one level deep, not before it existed."""
    if today < parent.created:
        raise InvalidInput(f"事项 #{parent.id} 立项于 {parent.created.isoformat()}，不能在此前（{today.isoformat()}）分解")
    if parent.parent is not None:
        raise InvalidInput(f"事项 #{parent.id} 本身是事项 #{parent.parent} 的子事项，不能再分解"
                           f"（请以 #{parent.parent} 为 --parent）")
    if parent.status in (Status.CLOSED, Status.CANCELLED):
        raise InvalidTransition(f"事项 #{parent.id} 状态为“{parent.status.label}”，不能再分解出子事项")


def _severity(result: LightResult) -> int:
    return -1 if result.light is None else result.light.severity


def worst_light(own: LightResult, children: Sequence[tuple[Item, LightResult]]) -> LightResult:
    """A split item's light: the worst of its own and its open sub-items' (its own on a tie).

    Among sub-items of the same colour the latest wins; the reason names the sub-item.
    """
    worst_child = None
    for child, result in children:
        key = (_severity(result), result.late_workdays, -(child.due or dt.date.max).toordinal())
        if worst_child is None or key > worst_child[0]:
            worst_child = (key, child, result)
    if worst_child is None or _severity(worst_child[2]) <= _severity(own):
        return own
    _, child, result = worst_child
    return dataclasses.replace(result, reason=f"子事项 #{child.id}“{child.title}”：{result.reason}")


def item_result(item: Item, children: Sequence[Item] | None, day: dt.date, cal: Any, settings: Any,
                lit: dict | None = None, known: dict | None = None) -> LightResult:
    """The light of an item on ``day``: its own (:func:`duban.rules.item_light`, which keeps each open
    assignment's light in ``lit`` where given), or for an item split into sub-items (``children``: its
    sub-items still at work) the worst of its own and theirs. ``known``: its assignments' lights on
    ``day`` already computed (duban/schedule.py), not computed again."""
    from . import rules

    light, _ = rules.item_light(item, day, cal, settings, lit, known)
    if children is not None:
        light = worst_light(light, [(c, rules.item_light(c, day, cal, settings)[0]) for c in children])
    return light


def as_tree(records: Sequence[dict]) -> tuple[list[dict], set[int]]:
    """Records with each sub-item right after its parent (in the list's order), and the ids of the
    sub-items so placed; one whose parent is not listed stays where it is."""
    listed = {r["id"] for r in records}
    below: dict[int, list[dict]] = {}
    for r in records:
        if r.get("parent") in listed:
            below.setdefault(r["parent"], []).append(r)
    out: list[dict] = []
    for r in records:
        if r.get("parent") not in listed:
            out.append(r)
            out += below.get(r["id"], [])
    return out, {r["id"] for rs in below.values() for r in rs}


# -- merge (duban merge KEEP DROP) ----------------------------------------------------------------


def merge(led: "Ledger", keep_id: int, drop_id: int, reason: str) -> ItemView:
    """同一事由合并 (seeds/003:L1127): DROP becomes 已合并 pointing to KEEP, one `merged` event on each.

    DROP's units, deadlines, feedback and log stay as they were and are shown under KEEP;
    DROP leaves every list and count (``list --all`` still shows it).
    """
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("合并理由不能为空")
    if keep_id == drop_id:
        raise InvalidInput(f"不能把事项 #{drop_id} 合并到它自己")
    with led._write():
        keep, drop = led._load(keep_id), led._load(drop_id)
        for item_id in (keep_id, drop_id):
            led._check_date_order(item_id)
        if led._has_children(drop_id):
            raise InvalidTransition(f"事项 #{drop_id} 已分解出子事项，不能合并（可把子事项分别合并）")
        if keep.parent == drop_id:
            raise InvalidInput(f"事项 #{keep_id} 是事项 #{drop_id} 的子事项，不能把上级事项合并到它")
        led._apply(drop, EventKind.MERGED, f"合并到事项 #{keep_id}“{keep.title}”：{reason}",
                   data={"into": keep_id, "reason": reason})
        led._apply(keep, EventKind.MERGED, f"并入事项 #{drop_id}“{drop.title}”：{reason}",
                   data={"from": drop_id, "reason": reason})
    return led.item(keep_id)


def merged_into(led: "Ledger", item_id: int) -> int | None:
    """Where a merged item went (its `merged` event), or None."""
    row = led.db.execute("SELECT json_extract(data, '$.into') FROM events WHERE item_id = ? AND kind = 'merged'"
                         " AND json_extract(data, '$.into') IS NOT NULL ORDER BY id DESC LIMIT 1", [item_id]).fetchone()
    return row[0] if row else None


def merged_from(led: "Ledger", item_id: int) -> list[int]:
    """The items merged into this one, in the order they came."""
    rows = led.db.execute("SELECT json_extract(data, '$.from') FROM events WHERE item_id = ? AND kind = 'merged'"
                          " AND json_extract(data, '$.from') IS NOT NULL ORDER BY id", [item_id])
    return [r[0] for r in rows]


_NOT_WORD = re.compile(r"[\W_]+")
_NUMBERS = re.compile(r"\d+")


def _title_key(title: str) -> str:
    """A title as compared for duplicates: no blanks or punctuation, no leading 关于."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", title or "")).lower().removeprefix("关于")


def likely_duplicates(rows: Sequence[tuple[int, str, int, int | None]], window: int = 3,
                      threshold: float = 0.8) -> list[tuple[int, int]]:
    """Pairs (earlier id, later id) of items with the same lead unit and similar titles.

    ``rows``: (item id, title, lead unit id, parent id) of the items in current work. Titles are
    compared, within each lead unit, with their few neighbours in sorted order (so the cost stays
    n log n on a large ledger): similar means the same numbers in both (if any) and either one
    title containing the other (six characters or more) or character pairs shared at least
    ``threshold`` (Dice). An item and its sub-item are not pairs.
    """
    by_unit: dict[int, list[tuple[str, int, int | None, list[str], frozenset[str]]]] = {}
    for item_id, title, unit_id, parent in rows:
        key = _title_key(title)
        if key:
            pairs = frozenset(key[i:i + 2] for i in range(len(key) - 1)) or frozenset((key,))
            by_unit.setdefault(unit_id, []).append((key, item_id, parent, _NUMBERS.findall(key), pairs))
    found: set[tuple[int, int]] = set()
    for entries in by_unit.values():
        entries.sort()
        for i, (a, a_id, a_parent, a_numbers, a_pairs) in enumerate(entries):
            for b, b_id, b_parent, b_numbers, b_pairs in entries[i + 1:i + 1 + window]:
                if a_parent == b_id or b_parent == a_id or a_numbers != b_numbers:
                    continue  # numbered apart (事项1 / 事项2, 第12项 / 第27项, two 工单): not the same matter
                short, long_ = (a, b) if len(a) <= len(b) else (b, a)
                if (len(short) >= 6 and short in long_) or \
                        2 * len(a_pairs & b_pairs) >= threshold * (len(a_pairs) + len(b_pairs)):
                    found.add((min(a_id, b_id), max(a_id, b_id)))
    return sorted(found)
