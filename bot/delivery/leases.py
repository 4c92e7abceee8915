"""Who holds an outbox lease, and whether that process is gone.

A lease keeps other dispatchers off the rows one is sending. A process killed mid-send
(SIGKILL, out of memory, power) never gives its rows back, so they would wait for the
lease to run out (two minutes) before anyone sends them. A dispatcher starting on the
same machine and in the same process namespace can see whether the owner's process
still runs, and takes such rows back at once. Owners it cannot see (another machine,
another container) keep their lease until it runs out.
"""

from __future__ import annotations

import os
import re
import secrets
import socket

# The owner column holds 64 characters: host, namespace, pid and a random part.
HOST_CHARS = 28
_OWNER = re.compile(r"^(?P<host>.*)-(?P<ns>\d+)-(?P<pid>\d+)-[0-9a-f]{8}$")
# Dispatchers of this process that have not stopped (tests run several in one process).
_live: set[str] = set()


def _pid_namespace() -> str:
    """The inode of this process's pid namespace ("0" where there is no /proc)."""
    try:
        link = os.readlink("/proc/self/ns/pid")  # "pid:[4026531836]"
    except OSError:
        return "0"
    return "".join(ch for ch in link if ch.isdigit()) or "0"


def new_worker_id() -> str:
    """A lease owner name unique to this process and start: host, pid namespace, pid, random."""
    host = socket.gethostname()[:HOST_CHARS]
    return f"{host}-{_pid_namespace()}-{os.getpid()}-{secrets.token_hex(4)}"


def register(worker_id: str) -> None:
    """A dispatcher of this process is running under this name."""
    _live.add(worker_id)


def forget(worker_id: str) -> None:
    """That dispatcher has stopped (and given back its rows)."""
    _live.discard(worker_id)


def _running(pid: int) -> bool:
    if os.name != "posix":
        return True  # no harmless probe: keep the lease
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def is_gone(owner: str, me: str) -> bool:
    """Whether `owner` was a dispatcher of a process on this machine that no longer runs.

    A process with the same pid as this one (a restarted container's pid 1) is gone
    unless it is one of this process's own dispatchers. A pid reused by an unrelated
    process counts as alive: that owner's rows wait for the lease, as before.
    """
    if owner == me or owner in _live:
        return False
    theirs, mine = _OWNER.match(owner), _OWNER.match(me)
    if theirs is None or mine is None:
        return False
    if (theirs["host"], theirs["ns"]) != (mine["host"], mine["ns"]):
        return False
    pid = int(theirs["pid"])
    return pid == os.getpid() or not _running(pid)
