"""Usage errors (missing option, bad value, unknown command) and help frames in Chinese.

Typer prints Click's usage errors itself, in English, inside a panel. duban replaces
that printer with one that writes a single ``错误：`` line in Chinese and a hint, and
keeps exit code 2 (CLI.md). Messages it does not recognise are shown as Click wrote them.
"""

from __future__ import annotations

import re
import sys
from typing import Any

# compiled on first use (re caches them): most runs never print a usage error.
# Every bad value reads “{选项} 的取值“…”{问题}，{应为/可选…}”, as the values duban checks itself do.
_PATTERNS: list[tuple[str, str]] = [
    (r"^Missing option '?([^'.]+)'?\.?$", "缺少选项：{0}"),
    (r"^Missing argument '?([^'.]+)'?\.?$", "缺少参数：{0}"),
    (r"^Missing parameter:? '?([^'.]+)'?\.?$", "缺少参数：{0}"),
    (r"^No such option: (\S+?)\s*\((?:Possible options|Did you mean):? (.+?)\??\)$",
     "没有选项 {0}（可能是：{1}）"),
    (r"^No such option: (\S+?)(?: Did you mean (.+)\?)?$", "没有选项 {0}"),
    (r"^No such command '([^']+)'\.? Did you mean (.+?)\?$", "没有命令“{0}”，是否要用 {1}？"),
    (r"^No such command '([^']+)'\.?$", "没有命令“{0}”"),
    (r"^Option '([^']+)' requires an argument\.?$", "选项 {0} 需要一个值"),
    (r"^Option '([^']+)' does not take a value\.?$", "选项 {0} 不接受取值"),
    (r"^Got unexpected extra arguments? \((.+)\)$", "多余的参数：{0}"),
    (r"^Invalid value for '([^']+)': '(.*)' is not a valid int(?:eger)?( range)?\.?$",
     "{0} 的取值“{1}”无法识别，应为整数"),
    (r"^Invalid value for '([^']+)': '(.*)' is not one of (.+)\.$", "{0} 的取值“{1}”无法识别，可选：{2}"),
    (r"^Invalid value for '([^']+)': (.+)$", "{0} 的取值无效：{1}"),
]


def _names(text: str) -> str:
    """“'list', 'log'” → “list、log”."""
    return "、".join(part.strip().strip("'\"") for part in text.split(","))


def translate(message: str) -> str:
    text = message.strip()
    for pattern, template in _PATTERNS:
        match = re.match(pattern, text)
        if match:
            groups = [g or "" for g in match.groups()]
            if template.startswith("没有命令") and len(groups) == 2 or "可选" in template:
                groups[-1] = _names(groups[-1])
            return template.format(*groups)
    return text


#: The global options (before the command) and what stands for their value in the hint.
GLOBAL_OPTIONS = {"--today": "日期", "--db": "台账文件"}


def _misplaced_global(exc: Any) -> str | None:
    """“duban list --today 2026-12-01”: a global option written after the command; say where it goes."""
    option = getattr(exc, "option_name", None)
    ctx = getattr(exc, "ctx", None)
    if exc.__class__.__name__ != "NoSuchOption" or option not in GLOBAL_OPTIONS or ctx is None:
        return None
    root, _, command = ctx.command_path.partition(" ")
    if not command:
        return None
    return f"{option} 是全局选项，须写在命令之前，如 {root} {option} {GLOBAL_OPTIONS[option]} {command} …"


def _message(exc: Any) -> str:
    """The error's Chinese text; a missing argument is named as the help names it (its metavar)."""
    misplaced = _misplaced_global(exc)
    if misplaced:
        return misplaced
    param = getattr(exc, "param", None)
    if exc.__class__.__name__ == "MissingParameter" and getattr(param, "param_type_name", "") == "argument":
        return f"缺少参数：{param.metavar or param.name}"
    return translate(exc.format_message())


def print_usage_error(exc: Any) -> None:
    """Stand-in for Typer's error panel: one Chinese line and a hint, on stderr."""
    if exc.__class__.__name__ == "NoArgsIsHelpError":
        return
    ctx = getattr(exc, "ctx", None)
    sys.stderr.write(f"错误：{_message(exc)}\n")
    if ctx is not None:
        sys.stderr.write(f"用法：{ctx.get_usage().replace(USAGE_PREFIX, '')}\n")
        sys.stderr.write(f"查看说明：{ctx.command_path} --help\n")


# -- help frames in Chinese -------------------------------------------------------------------

USAGE_PREFIX = "用法："
HELP_OPTION_TEXT = "显示帮助并退出"
#: Typer's fixed help strings (typer.rich_utils), set when that module loads.
RICH_STRINGS = {
    "DEFAULT_STRING": "[默认：{}]",
    "ENVVAR_STRING": "[环境变量：{}]",
    "REQUIRED_LONG_STRING": "[必填]",
    "ARGUMENTS_PANEL_TITLE": "参数",
    "OPTIONS_PANEL_TITLE": "选项",
    "COMMANDS_PANEL_TITLE": "命令",
    "ERRORS_PANEL_TITLE": "错误",
    "ABORTED_TEXT": "已中止。",
    "DEPRECATED_STRING": "（已弃用）",
}
_USAGE_WORDS = {"[OPTIONS]": "[选项]", "COMMAND [ARGS]...": "命令 [参数]...", "[ARGS]...": "[参数]..."}
_TYPE_WORDS = {"<int>": "<整数>", "<integer>": "<整数>", "<str>": "<文本>", "<text>": "<文本>", "<path>": "<路径>",
               "<float>": "<数>", "<file>": "<文件>", "<filename>": "<文件>", "<date>": "<日期>"}


#: Names for arguments declared without a metavar, so that help, usage and “缺少参数：…” name them alike.
ARGUMENT_NAMES = {"days": "日期", "file": "文件", "year": "年份", "name": "名称", "key": "设置项", "value": "新值",
                  "title": "事项名称", "text": "内容"}


def name_arguments(command: Any) -> None:
    """Give ``command``'s (and its sub-commands') unnamed arguments Chinese names: a short help text
    (“单位全称”) or :data:`ARGUMENT_NAMES`."""
    for param in getattr(command, "params", []):
        if getattr(param, "param_type_name", "") == "argument" and param.metavar is None:
            help_text = (getattr(param, "help", None) or "").strip()
            short = help_text if help_text and len(help_text) <= 6 and not re.search(r"[\s，、：:（(]", help_text) else None
            param.metavar = short or ARGUMENT_NAMES.get(param.name or "", param.name)
    for sub in getattr(command, "commands", {}).values():
        name_arguments(sub)


def _localise_usage(formatter_cls: Any) -> None:
    original = formatter_cls.write_usage
    if getattr(original, "_duban", False):
        return

    def write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        for english, chinese in _USAGE_WORDS.items():
            args = args.replace(english, chinese)
        args = re.sub(r"\{([^{}\s]+)\}", r"\1", args)  # Typer braces required arguments: “{ID}” → “ID”
        original(self, prog, args, USAGE_PREFIX if prefix is None else prefix)

    write_usage._duban = True  # type: ignore[attr-defined]
    formatter_cls.write_usage = write_usage


def _localise_help_option(decorators: Any) -> None:
    original = decorators.help_option
    if getattr(original, "_duban", False):
        return

    def help_option(param_decls: list[str]) -> Any:
        add = original(param_decls)

        def decorate(command: Any) -> Any:
            command = add(command)
            command.params[-1].help = HELP_OPTION_TEXT
            return command

        return decorate

    help_option._duban = True  # type: ignore[attr-defined]
    decorators.help_option = help_option


def _localise_rich(module: Any) -> None:
    for name, text in RICH_STRINGS.items():
        if hasattr(module, name):
            setattr(module, name, text)
    module.rich_format_error = print_usage_error
    make_help = module._make_command_help
    if not getattr(make_help, "_duban", False):
        def command_help(**kwargs: Any) -> Any:
            text = make_help(**kwargs)
            if hasattr(text, "overflow"):
                text.overflow = "fold"  # Chinese has no spaces to wrap at: fold, never cut to “…”
            return text

        command_help._duban = True  # type: ignore[attr-defined]
        module._make_command_help = command_help
        parameter_help = module._get_parameter_help

        def option_help(**kwargs: Any) -> Any:
            columns = parameter_help(**kwargs)
            for part in getattr(columns, "renderables", []):
                if hasattr(part, "overflow"):
                    part.overflow = "fold"
            return columns

        module._get_parameter_help = option_help
    highlight = module.types_highlighter
    if getattr(highlight, "_duban", False):
        return

    def types_highlighter(text: Any) -> Any:
        plain = text.plain
        for english, chinese in _TYPE_WORDS.items():
            plain = plain.replace(english, chinese)
        if plain != text.plain:
            text = text.__class__(plain, style=text.style)
        return highlight(text)

    types_highlighter._duban = True  # type: ignore[attr-defined]
    module.types_highlighter = types_highlighter


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
                _localise_rich(module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def install() -> None:
    """Chinese help frames, and Typer's usage-error printing through :func:`print_usage_error`."""
    from typer._click import decorators, formatting  # already imported by typer itself

    _localise_usage(formatting.HelpFormatter)
    _localise_help_option(decorators)
    module = sys.modules.get(_PatchOnImport.name)
    if module is not None:
        if hasattr(module, "rich_format_error"):
            _localise_rich(module)
        return
    if not any(isinstance(f, _PatchOnImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _PatchOnImport())
