"""Make this process die with its parent (Linux ``prctl(PR_SET_PDEATHSIG, SIGKILL)``).

Imported first by the forkserver of :mod:`sim.study.parallel` (its parent is the cogov process,
named by ``COGOV_MAIN_PID``) and called by each worker (whose parent is the forkserver), so a
``kill -9`` of cogov takes the forkserver and its workers with it instead of leaving them
running under init.
"""

from __future__ import annotations

import os
import signal

PR_SET_PDEATHSIG = 1


def die_with_parent() -> bool:
    """Ask the kernel to SIGKILL this process when its parent exits; False where unsupported."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):
        return False
    return True


if os.environ.get("COGOV_MAIN_PID") == str(os.getppid()):
    die_with_parent()  # we are the forkserver of that cogov process
    if os.getppid() == 1:  # the parent died before the request took hold
        os._exit(1)
