"""The spool's files (the layout and its reasons are in ``spool.py``): one record per file,
written whole or not at all, and one claims directory per process, held by an flock for as
long as that process lives.

    size = write_record(tmp_path, final_path, body)
    body = read_record(path)          # None if torn or corrupt
    owner, lock_fd = make_claims_dir(spool_path)
    moved, torn = recover_claims_dir(spool_path, "claims-…")   # if its process is dead
"""

from __future__ import annotations

import fcntl
import os
import secrets
import struct
import time
import zlib
from typing import NamedTuple, Optional

_MAGIC = b"HOS1"
_HEADER = struct.Struct(">4sII")  # magic, body length, CRC-32 of the body
BLOCK = 4096  # the cap counts what the disk spends: a 1 KiB record still takes a 4 KiB block
# A claims directory without its lock file (a crash while making or removing it) is left this
# long to its owner, who may be between two steps.
_STALE_S = 60.0
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
CLAIMS, STAGING = "claims-", "init-"


class Entry(NamedTuple):
    """A record ready to send, as its name describes it (no read needed to sort or cap)."""

    name: str
    written_ns: int
    dest: str
    blocks: int  # bytes on disk, in whole blocks


def record_name(dest: str, owner: str, seq: int, body: bytes) -> str:
    """``<written ns>-<dest>-<file size>-<owner>-<seq>.rec``: sorts oldest first."""
    return f"{time.time_ns():016x}-{dest}-{_HEADER.size + len(body):x}-{owner}-{seq:08x}.rec"


def parse_name(name: str) -> Optional[Entry]:
    """The entry a ``.rec`` name describes; None for a name that is not ours (never touched)."""
    parts = name[:-4].split("-")
    if len(parts) != 5:
        return None
    try:
        written_ns, size = int(parts[0], 16), int(parts[2], 16)
    except ValueError:
        return None
    return Entry(name, written_ns, parts[1], blocks(size))


def blocks(size: int) -> int:
    """Bytes a file of ``size`` takes on disk."""
    return -(-size // BLOCK) * BLOCK


def write_record(tmp: str, final: str, body: bytes) -> int:
    """Write ``tmp`` (0600) and rename it to ``final``: the record appears whole or not at all.
    Not fsynced: it survives the process dying, not the machine losing power. Returns its size."""
    data = _HEADER.pack(_MAGIC, len(body), zlib.crc32(body)) + body
    fd = os.open(tmp, _NEW_FILE, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
    os.rename(tmp, final)
    return len(data)


def read_record(path: str) -> Optional[bytes]:
    """The body of a record file, or None if it is torn (short) or corrupt (CRC mismatch)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    if len(data) < _HEADER.size:
        return None
    magic, length, crc = _HEADER.unpack_from(data)
    body = data[_HEADER.size :]
    if magic != _MAGIC or length != len(body) or zlib.crc32(body) != crc:
        return None
    return body


def make_claims_dir(spool: str) -> tuple[str, int]:
    """A claims directory for this process: (owner id, the fd holding its lock). Made under a
    staging name and renamed with its lock held, so that no process ever sees it unlocked and
    takes its owner for dead."""
    owner = secrets.token_hex(6)
    staging = os.path.join(spool, STAGING + owner)
    os.mkdir(staging, 0o700)
    fd = os.open(os.path.join(staging, "lock"), _NEW_FILE, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.rename(staging, os.path.join(spool, CLAIMS + owner))
    except OSError:
        os.close(fd)  # the staging directory goes at a later recovery, once stale
        raise
    return owner, fd


def recover_claims_dir(spool: str, dirname: str) -> tuple[bool, int]:
    """Empty a dead process's claims (or staging) directory back into the spool and remove it.
    Returns (whether it held records, how many torn writes it deleted); (False, 0) if its
    process is alive."""
    directory = os.path.join(spool, dirname)
    try:
        fd: Optional[int] = os.open(os.path.join(directory, "lock"), os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        fd = None
    except OSError:
        return False, 0
    moved, torn = False, 0
    try:
        if (fd is None or dirname.startswith(STAGING)) and time.time() - os.stat(directory).st_mtime < _STALE_S:
            return False, 0  # its owner may be between two steps of making or removing it
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return False, 0  # its process is alive
        for name in os.listdir(directory):
            source = os.path.join(directory, name)
            if name.endswith(".rec"):  # claimed, perhaps in flight when its process died
                os.rename(source, os.path.join(spool, name))
                moved = True
            elif name.endswith(".rec.tmp"):  # being written when its process died: whole, or torn
                if read_record(source) is not None:
                    os.rename(source, os.path.join(spool, name[:-4]))
                    moved = True
                else:
                    os.unlink(source)
                    torn += 1
        if fd is not None:
            os.unlink(os.path.join(directory, "lock"))
        os.rmdir(directory)
    except OSError:  # another process is recovering it too; whichever finishes, nothing is lost
        pass
    finally:
        if fd is not None:
            os.close(fd)
    return moved, torn


def release_claims_dir(spool: str, owner: str, fd: int) -> None:
    """At shutdown: this process's claims go back to the spool; its directory is removed."""
    directory = os.path.join(spool, CLAIMS + owner)
    try:
        for name in os.listdir(directory):
            if name.endswith(".rec"):
                os.rename(os.path.join(directory, name), os.path.join(spool, name))
        os.unlink(os.path.join(directory, "lock"))
        os.rmdir(directory)
    except OSError:  # a write on a thread that outlived shutdown: a later recovery removes it
        pass
    finally:
        os.close(fd)
