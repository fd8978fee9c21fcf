"""Size preflight: the memory and time a run will need, estimated from its population before
any model is built, against the memory this process may use.

A command refuses (one ``error:`` line, exit code 2) when the runs it would hold at once do
not fit in the memory available, instead of ending in a ``MemoryError`` (or the kernel's OOM
killer) after minutes of work; ``--no-preflight`` skips the check. The available memory is
the smallest of: the machine's ``MemAvailable`` (/proc/meminfo), the cgroup's limit minus its
usage (v2 ``memory.max``, v1 ``memory.limit_in_bytes``), and an address-space limit
(``RLIMIT_AS``, ``ulimit -v``) minus what this process already maps.
"""

from __future__ import annotations

import resource
from pathlib import Path

from ..config import ScenarioError

# Measured with benchmarks/bench_memory.py (baseline scenario, default 1,825-day spin-up,
# 365 reported days with the daily record; peak RSS, and the RSS after the imports, 304 MB),
# on this project's 2-core machine, Python 3.12, numpy 2:
#        2,000 residents, 1 community:     peak 356 MB  (+ 52 MB over the imports)
#       10,000 residents, 1 community:     peak 369 MB  (+ 65 MB)
#       50,000 residents, 1 community:     peak 444 MB  (+140 MB)
#      100,000 residents, 10 communities:  peak 538 MB  (+234 MB)
# i.e. about 45 MB for a model of any size plus about 1,970 bytes a resident (the slope from
# 10,000 to 100,000: 94 MB per 50,000). The estimate takes 3,000 bytes a resident (1.5 x the
# slope) plus 64 MB, an upper bound at every measured size (2,000,000 residents: 5.7 GB);
# a worker process adds its interpreter and imports (IMPORTS, the 304 MB above).
BYTES_PER_RESIDENT = 3_000
MODEL_FIXED = 64 * 2**20
IMPORTS = 304 * 2**20
# seconds a resident-day costs (benchmarks/README.md, 10,000 residents on 2 cores: spin-up
# 1.30 s for 1,825 days, the reported year 0.33 s); only shown, never used to refuse
SPIN_SECONDS = 1.30 / (10_000 * 1825)
DAY_SECONDS = 0.33 / (10_000 * 365)


def residents(scenario) -> int:
    """Residents of a scenario (a Scenario or its dict)."""
    pop = scenario["population"] if isinstance(scenario, dict) else scenario.population
    get = pop.get if isinstance(pop, dict) else (lambda k, d=None: getattr(pop, k, d))
    return int(get("n_communities", 1) or 1) * int(get("residents_per_community", 5000) or 0)


def run_bytes(n_residents: int) -> int:
    """Memory one model of ``n_residents`` holds at its peak (see the measurements above)."""
    return MODEL_FIXED + BYTES_PER_RESIDENT * int(n_residents)


def run_seconds(n_residents: int, days: int, spin_up_days: int) -> float:
    return n_residents * (spin_up_days * SPIN_SECONDS + days * DAY_SECONDS)


def _read_int(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return None if text in ("", "max") else int(text) if text.isdigit() else None


def _cgroup_room() -> int | None:
    """The cgroup's memory limit minus its usage (None: no limit found)."""
    rooms = []
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, rel = parts
        rel = rel.lstrip("/")
        if controllers == "":  # cgroup v2
            for d in (Path("/sys/fs/cgroup") / rel, Path("/sys/fs/cgroup")):
                limit, used = _read_int(d / "memory.max"), _read_int(d / "memory.current")
                if limit is not None:
                    rooms.append(limit - (used or 0))
                    break
        elif "memory" in controllers.split(","):  # cgroup v1
            for d in (Path("/sys/fs/cgroup/memory") / rel, Path("/sys/fs/cgroup/memory")):
                limit = _read_int(d / "memory.limit_in_bytes")
                used = _read_int(d / "memory.usage_in_bytes")
                if limit is not None and limit < 2**60:  # 2**63 - page: no limit
                    rooms.append(limit - (used or 0))
                    break
    return min(rooms) if rooms else None


def _mapped_now() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def available() -> tuple[int | None, int | None, str]:
    """(bytes the runs of all workers may share, bytes one process may still map, where the
    tighter limit comes from); None where no limit is known."""
    shared: list[tuple[int, str]] = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                shared.append((int(line.split()[1]) * 1024, "available memory (/proc/meminfo)"))
    except (OSError, ValueError, IndexError):
        pass
    room = _cgroup_room()
    if room is not None:
        shared.append((max(0, room), "the cgroup's memory limit"))
    per_process = None
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        per_process = max(0, soft - _mapped_now())
    best = min(shared) if shared else (None, "")
    return best[0], per_process, best[1]


def _gb(n: float) -> str:
    return f"{n / 2**30:.1f} GB" if n >= 2**30 else f"{n / 2**20:.0f} MB"


def check(largest: int, at_once: int = 1, days: int = 365, spin_up_days: int = 0,
          what: str = "a run", workers_flag: bool = True) -> dict:
    """Refuse (:class:`ScenarioError`) when ``at_once`` models of ``largest`` residents do not
    fit in the memory available; returns the estimate otherwise. ``at_once`` > 1 means
    worker processes, each with its own interpreter."""
    need_one = run_bytes(largest)
    extra = IMPORTS if at_once > 1 else 0
    need_all = at_once * (need_one + extra)
    shared, per_process, source = available()
    estimate = {"residents": largest, "bytes_per_run": need_one, "bytes": need_all,
                "seconds_per_run": run_seconds(largest, days, spin_up_days)}
    fix = ("use fewer residents (population.residents_per_community, population.n_communities)"
           + (" or fewer --workers" if workers_flag and at_once > 1 else "")
           + ", or pass --no-preflight to try anyway")
    if per_process is not None and need_one > per_process:
        raise ScenarioError(
            f"preflight: {what} of {largest:,} residents needs about {_gb(need_one)} of memory; "
            f"this process may map only {_gb(per_process)} more (address-space limit, "
            f"ulimit -v / RLIMIT_AS). {fix[0].upper() + fix[1:]}")
    if shared is not None and need_all > shared:
        runs = f"{at_once} runs at once of up to {largest:,} residents" if at_once > 1 \
            else f"{what} of {largest:,} residents"
        raise ScenarioError(
            f"preflight: {runs} need{'s' if at_once == 1 else ''} about {_gb(need_all)} of memory; this machine has "
            f"{_gb(shared)} ({source}). {fix[0].upper() + fix[1:]}")
    return estimate


def describe(estimate: dict) -> str:
    """The estimate in words (printed with -v)."""
    return (f"preflight: about {_gb(estimate['bytes_per_run'])} and "
            f"{estimate['seconds_per_run']:.0f} s a run of {estimate['residents']:,} residents "
            f"(rough; {_gb(estimate['bytes'])} for the runs held at once)")


def check_scheduler(address: str, timeout: float = 5.0) -> None:
    """Refuse a Dask scheduler address nothing answers at (a TCP connection is tried), before
    any output folder is planned: "unreachable" is then said as such, not as a failure to
    read or write files after the plan was written."""
    import socket
    from urllib.parse import urlsplit

    text = address if "://" in address else f"tcp://{address}"
    try:
        parts = urlsplit(text)
        host, port = parts.hostname, parts.port or 8786
    except ValueError as exc:
        raise ScenarioError(f"--scheduler {address!r}: not an address ({exc}); e.g. "
                            "tls://10.0.0.5:8786") from None
    if parts.scheme not in ("tcp", "tls", "ws", "wss"):
        return  # another transport (inproc, ucx): distributed checks it
    if not host:
        raise ScenarioError(f"--scheduler {address!r}: no host in the address; e.g. tls://10.0.0.5:8786")
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise ScenarioError(f"--scheduler {address}: no Dask scheduler reachable at {host}:{port} "
                            f"({why}); start the scheduler or check the address") from None
