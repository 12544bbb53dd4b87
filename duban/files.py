"""Writing files the safe way: a temp file beside the target, flushed, then renamed over it.

A reader (a colleague opening the notice, a cron job picking up the CSV) sees either the
old file or the whole new one, never half of it. What duban writes is government data:

* only a regular file is ever replaced — a device, a FIFO, a socket or a symlink to one is
  refused (``duban overdue --out /dev/sda`` must not turn the disk node into a CSV); a
  symlink to a regular file is written through (the file it points to is replaced);
* files are created 0600 and folders 0700 whatever the umask;
* names are bounded (:func:`bounded_name`: a long unit name is shortened with a stable hash);
* the temp file of a run killed half-way is named ``.<name>~<host>~<pid>~<random>.tmp`` and is
  removed by the next write into the same folder on the same host once its process is gone
  (:func:`clean_stale_temps`; a folder shared by several machines keeps the others' files).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import secrets
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

from .errors import InvalidInput

FILE_MODE = 0o600
DIR_MODE = 0o700
# Most file systems allow 255 bytes per name; keep well below, so that a temp name or a "-2"
# suffix still fits: 150 bytes are 50 Chinese characters.
MAX_NAME_BYTES = 150
_TEMP = re.compile(r"^\..*~([A-Za-z0-9.-]*)~(\d+)~[0-9a-f]{8}\.tmp(-journal|-wal|-shm)?$")


def bounded_name(name: str, limit: int = MAX_NAME_BYTES, keep_ext: bool = True) -> str:
    """``name`` if its UTF-8 form fits ``limit`` bytes; else its start, ``-`` and 8 hex digits of its
    SHA-1, keeping the extension. The same long name always gives the same short one."""
    if len(name.encode("utf-8")) <= limit:
        return name
    stem, dot, ext = name.rpartition(".")
    if not keep_ext or not dot or not stem or len(ext) > 10:
        stem, ext = name, ""
    ext = f".{ext}" if ext else ""
    tag = "-" + hashlib.sha1(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    room = limit - len(ext.encode()) - len(tag)
    if room < 1:  # an extension as long as the limit: give it up rather than the name
        stem, ext, room = name, "", limit - len(tag)
    cut = stem.encode("utf-8")[:max(room, 0)].decode("utf-8", "ignore")
    return f"{cut}{tag}{ext}"


def os_error_text(exc: OSError) -> str:
    """The real cause of a failed read or write, in words a clerk can act on."""
    code = exc.errno
    where = f"（{exc.filename}）" if getattr(exc, "filename", None) else ""
    if code == errno.ENOSPC or code == errno.EDQUOT:
        return f"磁盘已满，无法写入{where}；请清理磁盘空间后重试"
    if code == errno.EROFS:
        return f"文件系统是只读的，无法写入{where}"
    if code in (errno.EACCES, errno.EPERM):
        return f"没有读写权限{where}"
    if code == errno.ENAMETOOLONG:
        return f"文件名过长{where}"
    return f"文件读写失败：{exc.strerror or exc}{where}"


def output_target(path: str | os.PathLike) -> Path:
    """The file a write to ``path`` replaces, after refusing what must not be replaced."""
    text = os.fspath(path)
    if text.endswith(("/", os.sep)):
        raise InvalidInput(f"输出文件名不能以“/”结尾：{text}（应给出文件名，而不是目录）")
    target = Path(text)
    parent = target.parent
    if not parent.exists():
        raise InvalidInput(f"目录不存在：{parent}")
    if not parent.is_dir():
        raise InvalidInput(f"{parent} 不是目录")
    try:
        info = os.stat(target)
    except FileNotFoundError:
        if target.is_symlink():
            raise InvalidInput(f"{target} 是指向不存在文件的符号链接，不能作为输出文件") from None
        return target
    if stat.S_ISDIR(info.st_mode):
        raise InvalidInput(f"{target} 是目录，不能作为输出文件")
    if not stat.S_ISREG(info.st_mode):
        raise InvalidInput(f"{target} 不是普通文件（设备、管道或套接字），拒绝覆盖")
    if target.is_symlink():
        return Path(os.path.realpath(target))  # write through the link: the file it names is replaced
    return target


def clean_stale_temps(directory: Path) -> list[Path]:
    """Remove the temp files (``.<name>~<host>~<pid>~<hex>.tmp``) left by runs that were killed.

    Only this host's files whose writing process no longer exists are removed; a concurrent
    run's temp file, or another machine's on a shared folder, is left alone.
    """
    removed = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        match = _TEMP.match(name)
        if not match or match.group(1) != _host() or _alive(int(match.group(2))):
            continue
        with contextlib.suppress(OSError):
            os.unlink(directory / name)
            removed.append(directory / name)
    return removed


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9.-]", "", socket.gethostname())[:32]


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return pid > 0
    return True


def temp_path(target: Path) -> Path:
    """A new, empty temp file (mode 0600) beside ``target``, named so a later run can clean it."""
    prefix = bounded_name(target.name, 100)
    while True:
        tmp = target.parent / f".{prefix}~{_host()}~{os.getpid()}~{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
        except FileExistsError:
            continue
        os.close(fd)
        return tmp


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, mode: int = FILE_MODE) -> Iterator[Path]:
    """Yield a temp path in the target's directory; on success rename it over ``path``.

    The caller writes the temp file by any means (``doc.save(tmp)``, ``wb.save(tmp)``).
    On an exception the temp file is removed and the target is left as it was.
    """
    target = output_target(path)
    clean_stale_temps(target.parent)
    tmp = temp_path(target)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        output_target(target)  # still a regular file (or nothing) just before the rename
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def write_text(path: str | os.PathLike, text: str, mode: int = FILE_MODE) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_path(path, mode) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_bytes(path: str | os.PathLike, data: bytes, mode: int = FILE_MODE) -> Path:
    with atomic_path(path, mode) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def ensure_dir(path: str | os.PathLike) -> Path:
    """An output directory: created 0700 (with its missing parents) if absent; an existing file is an error."""
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise InvalidInput(f"{target} 已存在且不是目录")
    missing = []
    probe = target
    while not probe.exists() and probe != probe.parent:
        if probe.is_symlink():
            raise InvalidInput(f"{probe} 是指向不存在目录的符号链接")
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:  # made by a run at the same moment
            if not folder.is_dir():
                raise InvalidInput(f"{folder} 已存在且不是目录") from None
            continue
        os.chmod(folder, DIR_MODE)  # mkdir's mode is reduced by the umask; the folder must not be wider either
    return target
