"""Reading a user's file and writing ours, so that nothing is ever half-written.

Reading: :func:`read_input` turns every way a path can fail (missing, a
folder, unreadable, too big) into a located :class:`~ach.errors.CaseError`.
Writing: :func:`write_atomic` goes through a temporary file in the same folder
and a rename, so a reader sees the old file or the new one, never half of one;
:func:`create_new` does the same but never replaces a file that exists.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import sys
import tempfile
import time
from pathlib import Path

from .errors import CaseError, Diagnostic

__all__ = [
    "CASE_MAX_BYTES",
    "LOCK_WAIT",
    "MAX_MB_VARIABLE",
    "cache_root",
    "create_new",
    "locked",
    "read_input",
    "refuse_existing",
    "remove_stale_temporaries",
    "write_atomic",
]

CASE_MAX_BYTES = 25 * 2**20  # a 10,000-item case is a few MB: anything far larger is a mistake or an attack
MAX_MB_VARIABLE = "ACH_MAX_MB"  # megabytes: lifts (or lowers) every size limit; `ach --max-mb N` sets it
LOCK_WAIT = 30.0  # seconds an edit waits for another edit of the same file to finish
STALE = 60.0  # a temporary file of ours older than this, beside a locked file, was left by a killed write


def read_input(path, what: str, *, limit: int = CASE_MAX_BYTES, missing_hint: str = "check the path") -> bytes:
    """The bytes of a user's file (``-``: standard input), or a CaseError saying why not.

    ``what`` names the kind of file for the messages ("a case file", "an
    .achz file"). A file larger than ``limit`` bytes (or than ACH_MAX_MB
    megabytes, when set) is refused before it is read: a runaway file should
    not take a minute to be told it is one.
    """
    name = str(path)

    def fail(message: str, hint: str) -> CaseError:
        return CaseError([Diagnostic("error", message, name, hint=hint, code="unreadable")])

    limit = _limit(limit, fail)

    def too_big(size: int | None) -> CaseError:
        """``size``: the file's bytes, or None for a stream that was only read up to the limit."""
        most = f"{limit / 2**20:.3g} MB"
        needed = math.ceil(size / 2**20) if size else "N"
        return fail(
            f"the file is {size / 2**20:.1f} MB; ach reads {what} of up to {most}"
            if size
            else f"the input is larger than the {most} ach reads for {what}",
            f"check that this is {what}; to read it anyway, run `ach --max-mb {needed} ...` (or set {MAX_MB_VARIABLE})",
        )

    if name == "-":
        raw = sys.stdin.buffer.read(limit + 1)
        if len(raw) > limit:
            raise too_big(None)
        return raw
    try:
        size = Path(path).stat().st_size
        if size > limit:
            raise too_big(size)
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise fail("no such file", missing_hint) from None
    except IsADirectoryError:
        raise fail(f"is a folder, not {what}", f"name {what}") from None
    except OSError as exc:
        raise fail(f"cannot read: {exc.strerror or exc}", "check the path and its permissions") from None
    except ValueError as exc:  # e.g. a NUL byte in the path
        raise fail(f"cannot read: {exc}", "check the path") from None


def _limit(default: int, fail) -> int:
    """``default``, or ACH_MAX_MB megabytes when that is set."""
    raw = os.environ.get(MAX_MB_VARIABLE, "").strip()
    if not raw:
        return default
    try:
        megabytes = float(raw)
    except ValueError:
        megabytes = float("nan")
    if not 0 < megabytes < 2**40:
        raise fail(
            f"{MAX_MB_VARIABLE}={raw!r} is not a size in megabytes", "set it to a number such as 100, or unset it"
        )
    return int(megabytes * 2**20)


FORCE_HINT = "choose another name, or pass --force to replace it"


def refuse_existing(paths, overwrite: bool = False, hint: str = FORCE_HINT) -> None:
    """A CaseError naming every path that exists already, unless ``overwrite``."""
    if overwrite:
        return
    existing = [Path(p) for p in paths if Path(p).exists() or Path(p).is_symlink()]
    if existing:
        raise CaseError(
            [
                Diagnostic(
                    "error",
                    "the file exists already; nothing was written",
                    str(p),
                    hint=hint,
                    code="exists",
                )
                for p in existing
            ]
        )


@contextlib.contextmanager
def locked(path, wait: float = LOCK_WAIT):
    """Hold an exclusive lock on the file at ``path`` (ach's edits take it; a plain reader needs none).

    The lock is on the file itself; an edit replaces the file by a rename, so a
    waiter that wakes holding the lock of the replaced file tries again on the
    new one. Raises CaseError if another edit holds it for longer than ``wait``.
    """
    try:
        import fcntl
    except ImportError:  # no advisory locks here (Windows): the caller's read-back check still guards
        yield
        return
    deadline = time.monotonic() + wait
    while True:
        fd = os.open(path, os.O_RDONLY)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise CaseError(
                            [
                                Diagnostic(
                                    "error",
                                    f"another edit of this file has been under way for over {wait:.0f} s",
                                    str(path),
                                    hint="wait for it to finish, then try again",
                                    code="locked",
                                )
                            ]
                        ) from None
                    time.sleep(0.02)
            if os.fstat(fd).st_ino == os.stat(path).st_ino:  # still the file at path, not one replaced meanwhile
                break
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    try:
        yield
    finally:
        os.close(fd)  # releases the lock


def remove_stale_temporaries(path) -> list[Path]:
    """Delete the temporary files a killed write of ``path`` left beside it (call with the lock held)."""
    path = Path(path)
    now, gone = time.time(), []
    for tmp in path.parent.glob(f".{path.name}.*.tmp"):
        try:
            if now - tmp.stat().st_mtime > STALE:
                tmp.unlink()
                gone.append(tmp)
        except OSError:
            continue
    return gone


def write_atomic(path, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then ``os.replace``."""
    path = Path(path)
    tmp = _temporary(path, data)
    try:
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path


def create_new(path, data: bytes | str, hint: str = FORCE_HINT) -> Path:
    """Write a new file atomically, never replacing one that exists or appears meanwhile."""
    path = Path(path)
    tmp = _temporary(path, data)
    try:
        try:
            os.link(tmp, path)  # fails if the file exists: no overwrite, even in a race
        except FileExistsError:
            refuse_existing([path], hint=hint)
        except OSError:  # no hard links here (some network and FAT file systems)
            refuse_existing([path], hint=hint)
            os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path


def _temporary(path: Path, data: bytes | str) -> str:
    """A temporary file beside ``path`` holding ``data``, with the usual mode (not mkstemp's 0600)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_umask())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


@functools.lru_cache(maxsize=1)
def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def cache_root() -> Path:
    """ach's per-user cache folder (``ACH_CACHE_DIR`` moves it): compiled code, never anything of a case."""
    from platformdirs import user_cache_dir

    return Path(os.environ.get("ACH_CACHE_DIR") or user_cache_dir("ach"))
