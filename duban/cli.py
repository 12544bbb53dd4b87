"""duban 命令行：the root app, its global options and the table of commands.

The commands themselves live in ``duban/commands/*.py`` (thin commands over
:class:`duban.ledger.Ledger`). Each module is imported only when one of its commands
runs or its help is shown (``duban --help`` shows them all), so ``duban list`` does not
pay for Excel, Word, reports or the rest.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer

from .commands import usage
from .commands.common import State, fail, parse_date, set_state
from .commands.lazy import lazy_group
from .errors import DubanError, UsageError

usage.install()

#: Every top-level command and the module of ``duban.commands`` that defines it (in its
#: ``register(app)``), in the order ``duban --help`` lists them within their panel.
COMMANDS = {
    "init": "items",
    **dict.fromkeys(["unit", "rules", "calendar"], "admin"),
    **dict.fromkeys(["create", "assign", "sign", "feedback", "extend", "close", "review", "pause", "resume",
                     "cancel", "reopen", "revisit", "escalate"], "items"),
    **dict.fromkeys(["edit", "merge", "undo"], "clerk"),
    "milestone": "admin",
    **dict.fromkeys(["list", "show", "log"], "items"),
    **dict.fromkeys(["overdue", "remind"], "daily"),
    "notice": "notice",
    "report": "report",
    "import": "excel",
    **dict.fromkeys(["form", "collect", "requests"], "forms"),
    "export": "export",
    **dict.fromkeys(["check", "backup"], "care"),
    "screen": "screen",
    "rollup": "rollup",
}

#: The help panels of ``duban --help``, in the order a clerk meets them; a command not named
#: here is listed under 维护.
PANELS = {
    "台账与单位": ["init", "unit", "rules", "calendar"],
    "事项办理": ["create", "assign", "sign", "feedback", "extend", "close", "review", "pause", "resume", "cancel",
             "reopen", "revisit", "escalate", "milestone", "edit", "undo", "merge", "requests"],
    "每日": ["list", "show", "log", "overdue", "remind"],
    "报告": ["report", "notice", "screen", "rollup"],
    "Excel": ["import", "export", "form", "collect"],
    "维护": ["check", "backup"],
}

app = typer.Typer(
    name="duban",
    cls=lazy_group(COMMANDS, "duban.commands", PANELS, default_panel="维护"),
    help="督办台账：登记、交办、催办、亮灯、销号，一个 SQLite 文件管住全部督办事项。\n\n"
    "示例：duban init；duban create \"推进主干道整治\" --source 领导批示 --lead 市交通运输局 --within 10；"
    "duban list --light red",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def main_callback(
    ctx: typer.Context,
    db: Path = typer.Option(Path("duban.db"), "--db", envvar="DUBAN_DB", help="台账文件路径"),
    today: Optional[str] = typer.Option(
        None, "--today", envvar="DUBAN_TODAY", help="以该日期为“今天”（如 2026-11-30），用于补录和定时任务"
    ),
) -> None:
    """督办台账（duban）。

    示例：duban --db 台账.db list --light red
    """
    try:
        if today is not None and not today.strip():
            raise UsageError("--today 的值为空，应为日期，如 2026-11-30（不给出 --today 即以系统日期为今天）")
        if today is None and os.environ.get("DUBAN_TODAY") is not None and not os.environ["DUBAN_TODAY"].strip():
            # Click reads an empty variable as unset: it would fall back to the machine's clock
            raise UsageError("环境变量 DUBAN_TODAY（即 --today）的值为空，应为日期，如 2026-11-30；要以系统日期为今天，请删除该变量")
        day = parse_date(today, "--today") if today is not None else None
        for label, value in (("--db", str(db)), ("--today", today or "")):
            if value != value.encode("utf-8", "replace").decode("utf-8"):
                raise UsageError(f"{label} 的值不是有效的 UTF-8 文本（请检查终端或脚本的编码）")
    except DubanError as exc:
        fail(exc.message, exc.exit_code)
    set_state(State(db_path=db, today=day))


def main() -> None:
    """Console-script entry point."""
    app(prog_name="duban")


if __name__ == "__main__":  # pragma: no cover
    main()
