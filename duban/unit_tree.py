"""Statistics rolled up the unit tree within one ledger (``report stats --by unit --rollup``):
a unit added with ``--parent`` counts towards its parent, and so on up (社区 → 街道 → 区).

Each parent gets one more row, ``“名称（含下级）”``, with its own figures and those of all its
descendants (its rates computed from the sums); a parent with no items of its own gets it too;
every unit keeps its own row; 全部 is untouched (each item has one lead unit, so it counts once).
"""

from __future__ import annotations

from collections.abc import Sequence

from .models import Unit
from .reports import ALL, GroupStats
from .screen import merge_into

SUFFIX = "（含下级）"


def descendants(units: Sequence[Unit]) -> dict[str, list[str]]:
    """Every unit that has children → all units below it, at any depth (a cycle is cut where it closes)."""
    children: dict[str, list[str]] = {}
    for u in units:
        if u.parent:
            children.setdefault(u.parent, []).append(u.name)
    found: dict[str, list[str]] = {}
    for top in children:
        seen: list[str] = []
        stack = list(children[top])
        while stack:
            name = stack.pop()
            if name in seen or name == top:
                continue
            seen.append(name)
            stack.extend(children.get(name, []))
        found[top] = sorted(seen)
    return found


def depth(units: Sequence[Unit]) -> dict[str, int]:
    parent = {u.name: u.parent for u in units}
    found = {}
    for name in parent:
        n, at, seen = 0, parent[name], {name}
        while at and at not in seen:
            seen.add(at)
            n, at = n + 1, parent.get(at)
        found[name] = n
    return found


def rolled_up(groups: list[GroupStats], units: Sequence[Unit]) -> list[tuple[GroupStats, str | None]]:
    """``groups`` (per unit, then 全部, as reports.stats gives them) with a rolled-up row for each parent.

    Returns (row, the unit it rolls up or None) pairs: the units' own rows, the parents' rows, 全部.
    """
    *own, whole = groups
    assert whole.group == ALL
    by_name = {g.group: g for g in own}
    levels = depth(units)
    rolled = []
    for parent, below in sorted(descendants(units).items(), key=lambda kv: (levels.get(kv[0], 0), kv[0])):
        total = GroupStats(parent + SUFFIX)
        for name in (parent, *below):
            if name in by_name:
                merge_into(total, by_name[name])
        rolled.append((total, parent))
    return [*((g, None) for g in own), *rolled, (whole, None)]
