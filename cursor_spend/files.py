"""The files a command writes for the user (the FOCUS export, the Parquet marts, the HTML report): where they go, and
how they are written, with one line naming the cause and the fix when the file system refuses.

- Where (``--output``): a folder, existing or a path ending in ``/``, gets the file inside it under its default
  name; an existing file is replaced only when it is a regular file, never a symlink, FIFO, socket or device.
- How: into a temporary file beside the target, then renamed over it, so a reader never sees half a file; when the
  write fails (a full disk, a read-only file system, a folder without write permission) the temporary file is
  removed and an earlier file stays as it was.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path

from .errors import OutputError

KINDS = {stat.S_ISLNK: "a symlink", stat.S_ISFIFO: "a FIFO", stat.S_ISSOCK: "a socket", stat.S_ISCHR: "a device",
         stat.S_ISBLK: "a device"}  # fmt: skip
CAUSES = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "no permission to write there",
    errno.EPERM: "no permission to write there",
}


def output_path(output: str | os.PathLike | None, default: Path, option: str = "--output") -> Path:
    """The file to write: ``default`` without ``output``; inside ``output`` when it is a folder (existing, or given
    with a trailing ``/``); else ``output`` itself, when it does not exist or is a regular file."""
    if output is None:
        return default
    text = os.fspath(output)
    path = Path(text)
    if text.endswith(("/", os.sep)) or path.is_dir():
        return path / default.name
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return path
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in KINDS.items() if test(mode)), "not a regular file")
        raise OutputError(
            f"{option} {text} is {kind}; it is never replaced: give a regular file or a folder (e.g. {path.parent}/)"
        )
    return path


def write_atomically(path: Path, write: Callable[[Path], None], fix: str) -> Path:
    """``write(temporary)``, then rename the temporary file to ``path`` (its folder created); an OSError becomes
    one line with its cause and ``fix``, and nothing is left half-written."""
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(temporary)
        temporary.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):  # nothing to remove on a read-only file system
            temporary.unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {cause(exc)}; {fix}") from None
    return path


def cause(exc: OSError) -> str:
    """What the operating system said, in words (pyarrow's errors carry the errno too)."""
    return refusal(exc) or exc.strerror or str(exc).splitlines()[0][:160]


def refusal(exc: BaseException) -> str | None:
    """In words, when ``exc`` says the file system refused a write (full, read-only, no permission): an OSError, or a
    database's error quoting the operating system's message (DuckDB's "No space left on device"); else None."""
    if isinstance(exc, OSError) and exc.errno in CAUSES:
        return CAUSES[exc.errno]
    return next((words for number, words in CAUSES.items() if os.strerror(number) in str(exc)), None)
