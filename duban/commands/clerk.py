"""The clerk's corrections: ``edit`` (更正) and ``merge`` (合并) — issue #17.

Thin commands over :mod:`duban.ledger_clerk` (through the ledger); the item is then shown
as every item command shows it.
"""

# No ``from __future__ import annotations``: Typer reads the annotations when it builds the commands.

from typing import Optional

import typer

from .. import render
from ..errors import UsageError
from ..models import ItemClass, Source
from .common import guarded, ledger
from .items import _show_item

app = typer.Typer()


@app.command()
@guarded
def edit(
    item_id: int = typer.Argument(..., metavar="ID", help="事项编号"),
    title: Optional[str] = typer.Option(None, "--title", help="新的事项名称"),
    ref: Optional[str] = typer.Option(None, "--ref", help="新的文号（\"\" 清空）"),
    leader: Optional[str] = typer.Option(None, "--leader", help="新的牵头领导（\"\" 清空）"),
    klass: Optional[str] = typer.Option(None, "--class", help=f"新的类别：{ItemClass.choices()}（反馈频次随之改变）"),
    source: Optional[str] = typer.Option(None, "--source", help=f"新的立项依据：{Source.choices()}"),
    content: Optional[str] = typer.Option(None, "--content", help="新的办理内容（\"\" 清空）"),
    standard: Optional[str] = typer.Option(None, "--standard", help="新的完成标准（\"\" 清空）"),
) -> None:
    """更正：改正登记错的名称、文号、领导、类别、立项依据、办理内容或完成标准。

    记一条“修改”记录，写明每项的原值和新值（duban log 可查）；改了类别，亮灯和反馈频次随之改变。
    单位、时限和办理进展不在此更正（用 assign、extend 等）。

    示例：duban edit 12 --ref "市委批示〔2026〕13号" --class 重点
    """
    fields = {"title": title, "ref": ref, "leader": leader, "content": content, "standard": standard,
              "class": ItemClass.parse(klass, "--class") if klass is not None else None,
              "source": Source.parse(source, "--source") if source is not None else None}
    if all(v is None for v in fields.values()):
        raise UsageError("请至少给出一项要更正的内容：--title、--ref、--leader、--class、--source、--content、--standard")
    ledger().edit(item_id, **fields)
    _show_item(item_id)


@app.command()
@guarded
def merge(
    keep: int = typer.Argument(..., metavar="保留的ID", help="保留的事项编号"),
    drop: int = typer.Argument(..., metavar="并入的ID", help="并入（不再单独督办）的事项编号"),
    reason: str = typer.Option(..., "--reason", help="合并理由，如 同一事由重复立项"),
) -> None:
    """合并：同一事由重复登记的两个事项合为一个（seeds/003 “同一事由……必须合并”）。

    并入的事项变为“已合并”，不再出现在列表和统计中（list --all 仍可见）；它的单位、时限、反馈和记录原样保留，
    在保留事项的 show 中列出，show 并入的事项会说明去向。

    示例：duban merge 12 15 --reason "与12号为同一批示，重复立项"
    """
    ledger().merge(keep, drop, reason)
    render.console().print(f"事项 #{drop} 已合并到事项 #{keep}")
    _show_item(keep)


@app.command()
@guarded
def undo(
    dry_run: bool = typer.Option(False, "--dry-run", help="只显示将撤回什么，不写入"),
) -> None:
    """撤回：收回最近一条尚未撤回的写入命令（记错的反馈、误办结、误导入等）。

    记一条“撤回”记录，原记录保留并标为“已撤回”（duban log 可查），事项恢复到该命令之前的样子；
    再运行一次，撤回再前一条命令。只能撤回今天记下的命令；已发出的催办通知、交办单、销号单、反馈表
    和已印发的督查专报期号已离开台账，不能撤回，会说明原因。

    示例：duban undo --dry-run；duban undo
    """
    from .. import undo as undo_mod

    led = ledger()
    if dry_run:
        cmd = undo_mod.plan(led)
        lines = [f"将撤回：{cmd.summary()}", *cmd.lines(), "（预演，未写入；去掉 --dry-run 即撤回）"]
    else:
        cmd = undo_mod.undo(led)
        lines = [f"已撤回：{cmd.summary()}", *cmd.lines()]
    render.console().print("\n".join(lines), markup=False, highlight=False)


def register(root: typer.Typer) -> None:
    """Add the clerk's commands to the root app."""
    root.registered_commands.extend(app.registered_commands)
