"""Usage errors (missing option, bad value, unknown command) in Chinese.

Typer prints Click's usage errors itself, in English, inside a panel. duban replaces
that printer with one that writes a single ``错误：`` line in Chinese and a hint, and
keeps exit code 2 (CLI.md). Messages it does not recognise are shown as Click wrote them.
"""

from __future__ import annotations

import re
import sys
from typing import Any

# compiled on first use (re caches them): most runs never print a usage error
_PATTERNS: list[tuple[str, str]] = [
    (r"^Missing option '?([^'.]+)'?\.?$", "缺少必填选项 {0}"),
    (r"^Missing argument '?([^'.]+)'?\.?$", "缺少必填参数 {0}"),
    (r"^Missing parameter:? '?([^'.]+)'?\.?$", "缺少必填参数 {0}"),
    (r"^No such option: (\S+?)\s*\((?:Possible options|Did you mean):? (.+?)\??\)$",
     "没有选项 {0}（可能是：{1}）"),
    (r"^No such option: (\S+?)(?: Did you mean (.+)\?)?$", "没有选项 {0}"),
    (r"^No such command '([^']+)'\.?$", "没有命令 {0}"),
    (r"^Option '([^']+)' requires an argument\.?$", "选项 {0} 需要一个值"),
    (r"^Option '([^']+)' does not take a value\.?$", "选项 {0} 不接受取值"),
    (r"^Got unexpected extra arguments? \((.+)\)$", "多余的参数：{0}"),
    (r"^Invalid value for '([^']+)': '(.*)' is not a valid int(?:eger)?( range)?\.?$",
     "{0} 的值应为整数，收到“{1}”"),
    (r"^Invalid value for '([^']+)': '(.*)' is not one of (.+)\.$", "{0} 的值“{1}”无效，可选：{2}"),
    (r"^Invalid value for '([^']+)': (.+)$", "{0} 的值无效：{1}"),
]


def translate(message: str) -> str:
    text = message.strip()
    for pattern, template in _PATTERNS:
        match = re.match(pattern, text)
        if match:
            return template.format(*(g or "" for g in match.groups()))
    return text


def print_usage_error(exc: Any) -> None:
    """Stand-in for Typer's error panel: one Chinese line and a hint, on stderr."""
    if exc.__class__.__name__ == "NoArgsIsHelpError":
        return
    ctx = getattr(exc, "ctx", None)
    sys.stderr.write(f"错误：{translate(exc.format_message())}\n")
    if ctx is not None:
        sys.stderr.write(f"用法：{ctx.get_usage().replace('Usage: ', '')}\n")
        sys.stderr.write(f"查看说明：{ctx.command_path} --help\n")


# typer.rich_utils imports these two at its top, but uses them only for Markdown help
# (rich_markup_mode="markdown"; duban's is "rich") and for pretty tracebacks (turned off in
# cli.py). Loading them (markdown-it, Pygments) takes ~70 ms, more than the rest of a help
# screen, so rich_utils gets stand-ins that import the real class on first use.
_DEFERRED = {"rich.markdown": "Markdown", "rich.traceback": "Traceback"}


class _Deferred(type):
    """The metaclass of a stand-in: calls and attribute lookups go to the real class."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        return cls._real()(*args, **kwargs)

    def __getattr__(cls, name: str) -> Any:
        return getattr(cls._real(), name)

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, cls._real())

    def __subclasscheck__(cls, sub: Any) -> bool:
        return issubclass(sub, cls._real())


def _stand_in(module_name: str, attr: str) -> type:
    def real() -> Any:
        import importlib

        return getattr(importlib.import_module(module_name), attr)

    return _Deferred(attr, (), {"_real": staticmethod(real), "__module__": module_name})


class _PatchOnImport:
    """A meta-path finder that patches ``typer.rich_utils`` when Typer first imports it.

    Importing rich_utils eagerly costs ~40 ms; Typer itself only imports it to print help
    or an error, so the patch waits until then. While rich_utils runs, ``rich.markdown`` and
    ``rich.traceback`` (if not yet imported) are modules holding only stand-ins; afterwards
    they are removed again, so any later ``import rich.markdown`` gets the real module.
    """

    name = "typer.rich_utils"

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != self.name:
            return None
        import importlib.machinery

        sys.meta_path.remove(self)  # find the real module, then wrap its loader
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:  # pragma: no cover - typer without rich support
            return spec
        loader = spec.loader
        original = loader.exec_module

        def exec_module(module: Any) -> None:
            import types

            stand_ins = {}
            for name, attr in _DEFERRED.items():
                if name not in sys.modules:
                    stand_ins[name] = sys.modules[name] = types.ModuleType(name)
                    setattr(stand_ins[name], attr, _stand_in(name, attr))
            try:
                original(module)
            finally:
                for name, stub in stand_ins.items():
                    if sys.modules.get(name) is stub:
                        del sys.modules[name]
            if hasattr(module, "rich_format_error"):
                module.rich_format_error = print_usage_error

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def install() -> None:
    """Route Typer's usage-error printing through :func:`print_usage_error`."""
    module = sys.modules.get(_PatchOnImport.name)
    if module is not None:
        if hasattr(module, "rich_format_error"):
            module.rich_format_error = print_usage_error
        return
    if not any(isinstance(f, _PatchOnImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _PatchOnImport())
