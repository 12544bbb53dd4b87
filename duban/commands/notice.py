"""``duban notice ID --kind 交办单|销号单 --out DIR``: the 任务交办单 and 任务销号单 of an item.

The two of 晋城's “四单” (seeds/004 L29–41) that the daily job does not produce: the 任务交办单
sent with the 交办 (what, who leads and helps, deadline, 完成标准, the lead unit's 联络员) and the
任务销号单 that strikes a closed item off (result, dates, on time or not). Each has a 文号 from the
ledger's one series (``notice_ref_prefix``); printing it again keeps the number.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from .. import render
from ..errors import UsageError
from .common import guarded, ledger

KINDS = ("交办单", "销号单")


def notice(
    item_id: int = typer.Argument(..., metavar="ID", help="事项编号"),
    kind: str = typer.Option(..., "--kind", help="文书种类：交办单（任务交办单）或 销号单（任务销号单）"),
    out: Path = typer.Option(..., "--out", help="写入该目录（Word 与纯文本各一份）"),
) -> None:
    """出具任务交办单或任务销号单（Word 与纯文本），带文号。

    交办单：已交办的事项——督办事项、立项依据、牵头和配合单位、办理时限、完成标准、反馈要求、
    牵头单位联络员及电话。销号单：已销号的事项——办理结果、交办与办结日期、是否按期办结。
    文号与催办通知同一序列（设置 notice_ref_prefix，如 督办〔2026〕12号），首次出具时编号并记入事项记录；
    再次出具同一文书沿用原文号。

    示例：duban notice 12 --kind 交办单 --out 文书；duban notice 12 --kind 销号单 --out 文书
    """
    from .. import files, notices

    wanted = kind.strip().removeprefix("任务")
    if wanted not in KINDS:
        raise UsageError(f"--kind 应为 交办单 或 销号单，收到“{kind}”")
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out 应为目录，{out} 已存在且不是目录")
    led = ledger()
    led._load(item_id)  # an unknown id fails before a folder is made
    directory = files.ensure_dir(out)
    sheet, first = led.issue_sheet(item_id, wanted)
    doc_path, txt_path = notices.write_sheet(sheet, directory)
    if not first:
        sys.stderr.write(f"该{sheet.title}已于此前出具，沿用原文号{sheet.ref}\n")
    render.console().print(f"{sheet.title}（{sheet.ref}）已写入 {doc_path} 与 {txt_path.name}")


def register(app: typer.Typer) -> None:
    app.command("notice")(guarded(notice))
