"""Top-level commands that are built only when they are used.

The root group knows each command's name and the module that defines it. Running
``duban list`` imports and builds ``list`` alone; ``duban --help`` builds every command,
so the listing shows each one's real help text, read from its docstring as always.

A command module adds its commands to a Typer app in ``register(app)``; the commands
are built with Typer from that app exactly as if they had been registered on the root.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from typing import Any

import typer
from typer.core import TyperGroup


class LazyCommands(MutableMapping):
    """The root group's ``commands``: name → click command, loading a module on first lookup.

    Iterating gives every name (loaded or not) in the table's order, without importing
    anything; looking a name up imports its module and builds that module's commands.
    """

    def __init__(self, table: Mapping[str, str], package: str, loaded: Mapping[str, Any] | None = None,
                 panels: Mapping[str, str] | None = None):
        self._table = dict(table)  # name -> module (relative to package), not yet loaded
        self._package = package
        self._panels = dict(panels or {})  # name -> help panel
        from .complete import requested

        self._complete = requested()  # the shell asks for completions: ids and units come from the ledger
        self._loaded: dict[str, Any] = dict(loaded or {})
        self._order = list(self._loaded) + [n for n in self._table if n not in self._loaded]

    def _load(self, module_name: str) -> None:
        module = importlib.import_module(f"{self._package}.{module_name}")
        holder = typer.Typer()
        module.register(holder)
        from .usage import name_arguments

        for name, command in typer.main.get_group(holder).commands.items():
            name_arguments(command)
            if self._complete:
                from .complete import attach

                attach(command)
            if name in self._panels:
                command.rich_help_panel = self._panels[name]
            self._loaded.setdefault(name, command)
            if name not in self._order:
                self._order.append(name)
        for name in [n for n, m in self._table.items() if m == module_name]:
            del self._table[name]

    def __getitem__(self, name: str) -> Any:
        if name not in self._loaded and name in self._table:
            self._load(self._table[name])
        return self._loaded[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._table.pop(name, None)
        self._loaded[name] = command
        if name not in self._order:
            self._order.append(name)

    def __delitem__(self, name: str) -> None:
        if name not in self._loaded and name not in self._table:
            raise KeyError(name)
        self._loaded.pop(name, None)
        self._table.pop(name, None)
        self._order.remove(name)

    def __contains__(self, name: object) -> bool:
        return name in self._loaded or name in self._table

    def __iter__(self) -> Iterator[str]:
        return iter([n for n in self._order if n in self])

    def __len__(self) -> int:
        return sum(1 for n in self._order if n in self)


def lazy_group(table: Mapping[str, str], package: str, panels: Mapping[str, Sequence[str]] | None = None,
               default_panel: str | None = None) -> type[TyperGroup]:
    """A TyperGroup class whose sub-commands come from ``table`` (name → module in ``package``).

    ``panels`` (panel title → command names, in order) groups ``--help`` into rich help
    panels: commands are listed panel by panel, and in each panel in the panels' order;
    a command named in no panel goes to ``default_panel``.
    """
    panels = {title: list(names) for title, names in (panels or {}).items()}
    if default_panel is not None:
        panels.setdefault(default_panel, [])
    titles = list(panels)
    panel_of = {name: title for title, names in panels.items() for name in names}
    if default_panel is not None:
        panel_of.update({name: default_panel for name in table if name not in panel_of})
    rank = {name: (titles.index(title), panels[title].index(name) if name in panels[title] else len(panels[title]))
            for name, title in panel_of.items()}

    class LazyGroup(TyperGroup):
        def __init__(self, *, commands: Any = None, **kwargs: Any) -> None:
            super().__init__(commands=LazyCommands(table, package, commands, panel_of), **kwargs)

        def main(self, *args: Any, **kwargs: Any) -> Any:
            from .complete import enable, requested

            if requested():
                enable()
            return super().main(*args, **kwargs)

        def list_commands(self, ctx: Any) -> list[str]:
            # names only: nothing is imported to list them
            names = list(self.commands)
            return sorted(names, key=lambda n: rank.get(n, (len(titles), 0)))

    return LazyGroup
