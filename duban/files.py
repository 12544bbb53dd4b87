"""Writing files the safe way: a temp file beside the target, flushed, then renamed over it.

A reader (a colleague opening the notice, a cron job picking up the CSV) sees either the
old file or the whole new one, never half of it; a crash leaves at most a ``.tmp`` file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import InvalidInput


def _check_parent(path: Path) -> None:
    parent = path.parent
    if not parent.exists():
        raise InvalidInput(f"目录不存在：{parent}")
    if not parent.is_dir():
        raise InvalidInput(f"{parent} 不是目录")
    if path.is_dir():
        raise InvalidInput(f"{path} 是目录，不能作为输出文件")


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, mode: int = 0o644) -> Iterator[Path]:
    """Yield a temp path in the target's directory; on success rename it over ``path``.

    The caller writes the temp file by any means (``doc.save(tmp)``, ``wb.save(tmp)``).
    On an exception the temp file is removed and the target is left as it was.
    """
    target = Path(path)
    _check_parent(target)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def write_text(path: str | os.PathLike, text: str, mode: int = 0o644) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_path(path, mode) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_bytes(path: str | os.PathLike, data: bytes, mode: int = 0o644) -> Path:
    with atomic_path(path, mode) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def ensure_dir(path: str | os.PathLike) -> Path:
    """An output directory: created (with parents) if missing; an existing file is an error."""
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise InvalidInput(f"{target} 已存在且不是目录")
    target.mkdir(parents=True, exist_ok=True)
    return target
