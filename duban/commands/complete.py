"""Shell completion (bash, zsh): command names and options from Typer, item ids and unit names
from the ledger.

The shell asks ``duban`` itself for completions (``_DUBAN_COMPLETE=complete_bash`` or
``complete_zsh``); the scripts come from ``_DUBAN_COMPLETE=bash_source duban`` or
``zsh_source`` (README “命令补全”). Item ids and unit names are read from the ledger file
(``--db`` on the line, else ``DUBAN_DB``, else ``./duban.db``) read-only; a missing or
unreadable ledger just completes nothing.
"""

from __future__ import annotations

import os
from typing import Any

#: Parameters completed from the ledger, by their Python name.
ITEM_PARAMS = {"item_id", "keep", "drop", "parent"}
UNIT_PARAMS = {"unit", "lead", "co"}


def requested() -> bool:
    """Whether the shell is asking for completions (or for the completion script) right now."""
    return any(k.startswith("_") and k.endswith("_COMPLETE") for k in os.environ)


def _ledger_path(ctx: Any) -> str:
    root = ctx.find_root() if ctx is not None else None
    given = root.params.get("db") if root is not None else None
    return str(given or os.environ.get("DUBAN_DB") or "duban.db")


def _query(ctx: Any, sql: str) -> list[tuple]:
    import sqlite3

    path = _ledger_path(ctx)
    if not os.path.isfile(path):
        return []
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return []


def _items(ctx: Any, param: Any, incomplete: str) -> list:
    from typer._click.shell_completion import CompletionItem

    rows = _query(ctx, "SELECT id, title FROM items WHERE status IN ('pending', 'open', 'paused', 'done') ORDER BY id")
    return [CompletionItem(str(i), help=title) for i, title in rows if str(i).startswith(incomplete)]


def _units(ctx: Any, param: Any, incomplete: str) -> list:
    from typer._click.shell_completion import CompletionItem

    names = [r[0] for r in _query(ctx, "SELECT name FROM units ORDER BY id")]
    names += [r[0] for r in _query(ctx, "SELECT alias FROM unit_aliases ORDER BY unit_id, alias")]
    return [CompletionItem(n) for n in dict.fromkeys(names) if n.startswith(incomplete)]


def attach(command: Any) -> None:
    """Give ``command``'s (and its sub-commands') item-id and unit parameters their completions."""
    for param in getattr(command, "params", []):
        if param.name in ITEM_PARAMS:
            param._custom_shell_complete = _items
        elif param.name in UNIT_PARAMS:
            param._custom_shell_complete = _units
    for sub in getattr(command, "commands", {}).values():
        attach(sub)


def enable() -> None:
    """Register Typer's bash and zsh completion classes (only when the shell asks: start-up stays light)."""
    from typer.completion import completion_init

    completion_init()
