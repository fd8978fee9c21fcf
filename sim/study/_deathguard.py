"""Local worker processes die with the cogov process that started them, at any moment of their
life (Linux ``prctl(PR_SET_PDEATHSIG, SIGKILL)``).

The chain: cogov starts the forkserver (:func:`forkserver_context` preloads this module in it
first), the forkserver forks the workers, and the resource tracker exits when the last of them
has closed its pipe. Each link asks the kernel to kill it when its parent dies, and then looks
whether the parent is still the one it expects: a parent that died before the request took
hold (cogov killed while the pool starts) is caught by the look, a later death by the kernel.

- The forkserver does both when this module is imported, the first of its preloads (before
  the model's seconds-long imports); its parent must be ``COGOV_MAIN_PID``.
- Each worker does both in an ``os.register_at_fork`` hook the forkserver installs, so it is
  the very first thing the child runs after ``fork()``, before it reads its task.

Not "parent 1": an orphan is adopted by a subreaper (a container's init, systemd --user)
as often as by init, so the parent is compared with the pid expected.
"""

from __future__ import annotations

import os
import signal
import sys

PR_SET_PDEATHSIG = 1
MAIN_PID = "COGOV_MAIN_PID"
PRELOAD = "sim.study._deathguard"
SERVER_PID: int | None = None  # set in the forkserver (and inherited by its workers)


def die_with_parent(expected_parent: int | None = None) -> bool:
    """Ask the kernel to SIGKILL this process when its parent exits; exit at once if the
    parent is already not ``expected_parent``. False where the kernel cannot be asked."""
    asked = False
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        asked = libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        pass
    # after the request: a parent that dies from now on kills us; one that died before, this
    if expected_parent is not None and os.getppid() != expected_parent:
        os._exit(1)
    return asked


def forkserver_context(preload: list[str]):
    """The forkserver context of :mod:`multiprocessing` with this guard preloaded first.

    Sets ``COGOV_MAIN_PID`` so the forkserver knows its parent. The forkserver is one per
    process: the preload list takes effect when it starts, so every caller uses this."""
    from multiprocessing import get_context
    os.environ[MAIN_PID] = str(os.getpid())
    ctx = get_context("forkserver")
    ctx.set_forkserver_preload([PRELOAD, *(m for m in preload if m != PRELOAD)])
    return ctx


def _preloaded_by_forkserver() -> bool:
    """True while ``multiprocessing.forkserver.main`` is importing this module."""
    frame = sys._getframe(1)
    while frame is not None:
        if (frame.f_code.co_name == "main"
                and frame.f_globals.get("__name__") == "multiprocessing.forkserver"):
            return True
        frame = frame.f_back
    return False


def _guard_worker() -> None:
    die_with_parent(SERVER_PID)


if _preloaded_by_forkserver():
    _main = os.environ.get(MAIN_PID, "")
    die_with_parent(int(_main) if _main.isdigit() else None)
    SERVER_PID = os.getpid()
    os.register_at_fork(after_in_child=_guard_worker)
