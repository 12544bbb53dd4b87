"""Typed domain errors. The CLI turns each into one Chinese line on stderr."""

from __future__ import annotations


class DubanError(Exception):
    """Base of every error a user can cause. ``exit_code`` per CLI.md."""

    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(DubanError):
    """Unknown item, unit or other named thing."""


class InvalidTransition(DubanError):
    """The action is not allowed in the item's current state."""


class InvalidInput(DubanError):
    """A value was understood but rejected (empty reason, deadline too early...)."""


class UsageError(DubanError):
    """A value could not be parsed at all (bad date format, unknown choice)."""

    exit_code = 2


class LedgerError(DubanError):
    """The ledger file cannot be opened or is not a duban ledger."""


def sqlite_error_text(exc: Exception) -> str:
    """The real cause of an SQLite error in words: disk full, read-only, locked or damaged."""
    text = str(exc)
    lowered = text.lower()
    if "disk is full" in lowered:
        return "磁盘已满，台账无法写入（本次未写入任何内容）；请清理磁盘空间后重试"
    if "readonly" in lowered or "read-only" in lowered:
        return "台账文件或其所在目录是只读的，不能写入（本次未写入任何内容）；查询类命令仍可使用"
    if "locked" in lowered or "busy" in lowered:
        return "台账正被其他程序长时间占用，请稍后重试（本次未写入任何内容）"
    if "unable to open" in lowered:
        return f"无法打开台账文件（{text}），请检查文件及其目录是否存在、是否有读写权限"
    if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        return f"文件不是有效的 SQLite 数据库或已损坏（{text}）"
    return f"台账数据库出错：{text}（本次未写入任何内容）"
