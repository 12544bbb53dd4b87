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


def install() -> None:
    """Route Typer's usage-error printing through :func:`print_usage_error`."""
    try:
        from typer import rich_utils
    except ImportError:  # pragma: no cover - typer without rich support prints plain Click errors
        return
    if hasattr(rich_utils, "rich_format_error"):
        rich_utils.rich_format_error = print_usage_error
