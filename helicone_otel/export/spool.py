"""A durable, bounded spool on disk for records the collector did not take (down, timing out,
429/5xx after the retry budget, queue full, shutdown deadline), sent when it answers again: by
this process, or by the next one started with the same directory.

    spool = Spool("/var/spool/helicone", destination=url + key, max_bytes=..., max_age_s=...)
    spool.put(body)                 # an export thread, where it would drop the record
    claim = spool.claim()           # an idle sender thread: the oldest record, for it alone
    spool.settle(claim, delivered, rejected)

Layout of the directory (0700; any number of processes of one user on one machine):

- ``<written ns>-<dest>-<size>-<owner>-<seq>.rec``: one record ready to send, mode 0600:
  ``HOS1``, body length, CRC-32, then the JSON body exactly as it would have been POSTed (with
  capture off it holds no prompt or completion text; ``redact`` has run). Names sort oldest
  first. ``dest`` is a hash of the URL and API key: a record only goes where it was addressed.
- ``claims-<owner>/``: one per live process: ``lock`` (an flock held for the process's life),
  the records it is writing (``.rec.tmp``) and those it has claimed for sending (``.rec``).

Why renames: a record appears by rename, whole or not at all, whatever a ``kill -9``
interrupts; and it is claimed for sending by a rename into the claimer's directory, which
succeeds for one thread of one process only, so processes sharing a spool never send a record
twice. A claims directory whose lock nobody holds belongs to a dead process: its claims go back
to the spool (one may have been delivered just before the death; Helicone and the collector
keep one row per ``Helicone-Request-Id``, so that resend is stored once), its complete writes
are kept, and a torn one (short, or a CRC mismatch) is deleted and counted, as is a torn
``.rec``. Not fsynced: records survive the process dying, not the machine losing power.
"""

from __future__ import annotations

import collections
import hashlib
import itertools
import os
import threading
import time
from typing import NamedTuple, Optional

from ..guard import report_once
from . import spool_files as files

_TRIM_TO = 0.9  # evict down to 90 % of the cap: a full spool rescans once per 10 % written, not per record
_RESCAN_S = 5.0  # idle senders look this often for records left by other processes (and expire old ones)
_MAX_DOWN_S = 30.0  # while the collector is down, attempts are 1, 2, 4 … 30 s apart


class SpoolCounts(NamedTuple):
    """This process's counts; ``replayed`` and the drops include records other processes wrote."""

    spooled: int = 0
    replayed: int = 0
    dropped_full: int = 0
    dropped_expired: int = 0
    dropped_torn: int = 0
    rejected: int = 0  # a final 4xx on replay: sending it again would change nothing


class Claim(NamedTuple):
    """A record taken from the spool for sending: ``settle`` it when the POST is done."""

    name: str
    path: str  # in this process's claims directory
    body: bytes
    probe: bool  # the collector was down a moment ago: one attempt, not a retry budget


class Spool:
    """Records on disk under ``path`` for one destination (``url`` and API key)."""

    def __init__(self, path: str, destination: str, max_bytes: int, max_age_s: float) -> None:
        self.path = os.path.abspath(os.path.expanduser(path))
        os.makedirs(self.path, 0o700, exist_ok=True)
        if os.stat(self.path).st_uid == os.getuid():
            os.chmod(self.path, 0o700)  # the records hold prompts and completions
        self._dest = hashlib.sha256(destination.encode("utf-8", "surrogateescape")).hexdigest()[:8]
        self._max_bytes = max_bytes
        self._max_age_ns = int(max_age_s * 1e9)
        self._reset()

    def _reset(self) -> None:
        self._lock = threading.Lock()  # counts, the down state, the claims directory
        self._scan_lock = threading.Lock()  # one scan (recovery, expiry, eviction) at a time
        self._todo_lock = threading.Lock()
        self._todo: collections.deque[files.Entry] = collections.deque()  # ours, from the last scan
        self._rescan = True  # scan at the next claim (at start, on new records, after a pause)
        self._next_scan = 0.0
        self._counts = dict.fromkeys(SpoolCounts._fields, 0)
        self._owner: Optional[str] = None
        self._lock_fd: Optional[int] = None
        self._seq = itertools.count()
        self._estimate: Optional[int] = None  # bytes of ready records, exact after each scan
        self._failures = 0
        self._down_until = 0.0

    def after_fork(self) -> None:
        """In a child: its own counts and claims directory. Only our copy of the lock is
        closed (never LOCK_UN, which would release the parent's lock too)."""
        if self._lock_fd is not None:
            try:
                os.close(self._lock_fd)
            except OSError:  # already closed: nothing to release
                pass
        self._reset()

    # -- the collector's state, shared by the sender threads ----------------------------------
    @property
    def down(self) -> bool:
        """True while records go straight to disk, without spending a retry budget each."""
        return time.monotonic() < self._down_until

    def failed(self) -> None:
        """The collector did not take a record: no attempt for 1 s, doubling up to 30 s."""
        with self._lock:
            now = time.monotonic()
            if now < self._down_until:
                return
            self._failures += 1
            self._down_until = now + min(_MAX_DOWN_S, 2.0 ** (self._failures - 1))
        self._rescan = True  # the first claim after the pause probes with the oldest record

    def succeeded(self) -> None:
        """The collector took a record: replay what is waiting."""
        if self._failures:
            with self._lock:
                self._failures, self._down_until = 0, 0.0
            self._rescan = True

    def counts(self) -> SpoolCounts:
        """A snapshot of this process's counts."""
        with self._lock:
            return SpoolCounts(**self._counts)

    def _count(self, kind: str, n: int = 1) -> None:
        if n:
            with self._lock:
                self._counts[kind] += n

    # -- writing --------------------------------------------------------------------------------
    def put(self, body: bytes) -> bool:
        """Write one record, whole or not at all; False if the disk refused it."""
        tmp = None
        try:
            owner, own = self._own_dir()
            name = files.record_name(self._dest, owner, next(self._seq), body)
            tmp = os.path.join(own, name + ".tmp")
            size = files.write_record(tmp, os.path.join(self.path, name), body)
        except OSError as exc:
            report_once("writing a record to the spool", exc)
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:  # never written, or the directory is gone
                    pass
            return False
        with self._lock:
            self._counts["spooled"] += 1
            if self._estimate is not None:
                self._estimate += files.blocks(size)
            over = self._estimate is None or self._estimate > self._max_bytes
        if over:
            try:
                self.scan()
            except OSError as exc:
                report_once("trimming the spool", exc)
        if not self.down:
            self._rescan = True  # e.g. queue full with the collector up: replay when a sender is idle
        return True

    def _own_dir(self) -> tuple[str, str]:
        with self._lock:
            if self._owner is None:
                self._owner, self._lock_fd = files.make_claims_dir(self.path)
            return self._owner, os.path.join(self.path, files.CLAIMS + self._owner)

    # -- upkeep ---------------------------------------------------------------------------------
    def scan(self) -> list[files.Entry]:
        """Recover dead processes' claims, drop records past the age limit and the oldest over
        the size cap (counted); return this destination's records, oldest first."""
        with self._scan_lock:
            entries, owners = self._list()
            recovered = [files.recover_claims_dir(self.path, name) for name in owners]
            self._count("dropped_torn", sum(torn for _, torn in recovered))
            if any(moved for moved, _ in recovered):
                entries, _ = self._list()
            cutoff = time.time_ns() - self._max_age_ns
            kept, total, expired = [], 0, 0
            for entry in entries:
                if entry.written_ns < cutoff:
                    expired += self._remove(entry.name)
                else:
                    kept.append(entry)
                    total += entry.blocks
            evicted = full = 0
            if total > self._max_bytes:
                while evicted < len(kept) and total > self._max_bytes * _TRIM_TO:
                    total -= kept[evicted].blocks
                    full += self._remove(kept[evicted].name)
                    evicted += 1
            with self._lock:
                self._counts["dropped_expired"] += expired
                self._counts["dropped_full"] += full
                self._estimate = total
            return [entry for entry in kept[evicted:] if entry.dest == self._dest]

    def _list(self) -> tuple[list[files.Entry], list[str]]:
        entries, owners = [], []
        own = files.CLAIMS + str(self._owner)
        for name in os.listdir(self.path):
            if name.endswith(".rec"):
                entry = files.parse_name(name)
                if entry is not None:
                    entries.append(entry)
            elif name.startswith((files.CLAIMS, files.STAGING)) and name != own:
                owners.append(name)
        entries.sort()
        return entries, owners

    def _remove(self, name: str) -> int:
        try:
            os.unlink(os.path.join(self.path, name))
            return 1
        except FileNotFoundError:  # claimed or removed by another process first
            return 0

    # -- replay: an idle sender thread takes the next record and reports the outcome ----------
    def claim(self) -> Optional[Claim]:
        """The next record of this destination to send, oldest first, claimed so that no other
        thread or process sends it; None when there is none or the collector is down."""
        try:
            return self._claim()
        except OSError as exc:
            report_once("reading the spool", exc)
            return None

    def _claim(self) -> Optional[Claim]:
        while not self.down:
            with self._todo_lock:
                if not self._todo and (self._rescan or time.monotonic() >= self._next_scan):
                    self._rescan, self._next_scan = False, time.monotonic() + _RESCAN_S
                    self._todo.extend(self.scan())
                if not self._todo:
                    return None
                entry = self._todo.popleft()
            claimed = os.path.join(self._own_dir()[1], entry.name)
            try:
                os.rename(os.path.join(self.path, entry.name), claimed)
            except FileNotFoundError:
                continue  # another process claimed it (or it was evicted)
            body = files.read_record(claimed)
            if body is not None:
                return Claim(entry.name, claimed, body, probe=self._failures > 0)
            os.unlink(claimed)
            self._count("dropped_torn")
        return None

    def settle(self, claim: Claim, delivered: bool, rejected: bool) -> None:
        """Delivered or rejected: gone from disk and counted. Otherwise back in the spool."""
        try:
            if delivered or rejected:
                os.unlink(claim.path)
            else:
                os.rename(claim.path, os.path.join(self.path, claim.name))
        except FileNotFoundError:  # put back by close() meanwhile: sent again later, stored once
            pass
        except OSError as exc:  # left in our claims directory: close() or a later recovery puts it back
            report_once("settling a record of the spool", exc)
        if delivered:
            self._count("replayed")
            self.succeeded()
        elif rejected:
            self._count("rejected")
        else:
            with self._todo_lock:
                self._todo.clear()  # start again from the oldest when the collector answers
            self.failed()

    def close(self) -> None:
        """At shutdown: put back this process's claims and remove its claims directory."""
        with self._lock:
            owner, fd = self._owner, self._lock_fd
            self._owner = self._lock_fd = None
        if owner is not None and fd is not None:
            files.release_claims_dir(self.path, owner, fd)
