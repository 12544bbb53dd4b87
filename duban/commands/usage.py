"""Usage errors (missing option, bad value, unknown command) in Chinese.

Typer prints Click's usage errors itself, in English, inside a panel. duban replaces
that printer with one that writes a single ``错误：`` line in Chinese and a hint, and
keeps exit code 2 (CLI.md). Messages it does not recognise are shown as Click wrote them.
"""

from __future__ import annotations

import re
import sys
from typing import Any

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Missing option '?([^'.]+)'?\.?$"), "缺少必填选项 {0}"),
    (re.compile(r"^Missing argument '?([^'.]+)'?\.?$"), "缺少必填参数 {0}"),
    (re.compile(r"^Missing parameter:? '?([^'.]+)'?\.?$"), "缺少必填参数 {0}"),
    (re.compile(r"^No such option: (\S+?)\s*\((?:Possible options|Did you mean):? (.+?)\??\)$"),
     "没有选项 {0}（可能是：{1}）"),
    (re.compile(r"^No such option: (\S+?)(?: Did you mean (.+)\?)?$"), "没有选项 {0}"),
    (re.compile(r"^No such command '([^']+)'\.?$"), "没有命令 {0}"),
    (re.compile(r"^Option '([^']+)' requires an argument\.?$"), "选项 {0} 需要一个值"),
    (re.compile(r"^Option '([^']+)' does not take a value\.?$"), "选项 {0} 不接受取值"),
    (re.compile(r"^Got unexpected extra arguments? \((.+)\)$"), "多余的参数：{0}"),
    (re.compile(r"^Invalid value for '([^']+)': '(.*)' is not a valid integer( range)?\.?$"),
     "{0} 的值“{1}”不是整数"),
    (re.compile(r"^Invalid value for '([^']+)': '(.*)' is not one of (.+)\.$"), "{0} 的值“{1}”无效，可选：{2}"),
    (re.compile(r"^Invalid value for '([^']+)': Value error, '(.*)' is not one of (.+)\.$"),
     "{0} 的值“{1}”无效，可选：{2}"),
    (re.compile(r"^Invalid value for '([^']+)': Input should be a valid integer.*$"), "{0} 的值应为整数"),
    (re.compile(r"^Invalid value for '([^']+)': (.+)$"), "{0} 的值无效：{1}"),
]


def translate(message: str) -> str:
    text = message.strip()
    for pattern, template in _PATTERNS:
        match = pattern.match(text)
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


class _PatchOnImport:
    """A meta-path finder that patches ``typer.rich_utils`` when Typer first imports it.

    Importing rich_utils eagerly costs ~40 ms (it pulls in rich.markdown); Typer itself only
    imports it to print help or an error, so the patch waits until then.
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
            original(module)
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
