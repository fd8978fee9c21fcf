"""Spin up once, fork many: settled communities kept for every later run.

Every run spins up ``run.spin_up_days`` with every lever at the baseline before day 0
(docs/ODD.md 7.1), so the state at day 0 depends on the scenario only through its
non-lever parameters and the seed: every lever file shares it. :class:`sim.model.CoGovModel`
asks this module for that state before it spins up, and hands its own day-0 state here
after (an exact snapshot, :mod:`sim.snapshot`): a later model with the same key starts from
it instead of simulating the spin-up again, and continues bit for bit as if it had.

The key (:func:`spinup_key`) is a hash of what the spin-up depends on: the scenario with
its levers at the baseline (without ``meta`` and the ``run`` settings that act only from
day 0: ``days``, ``policy_start_day``, ``record_every``), the contents of a user's edge
list, the seed, and the hash of the model's source (so that a changed model never reuses an
old state).

Two levels: in memory within a process (most recent first, up to ``memory_mb``), and on
disk across commands (``$COGOV_CACHE_DIR``, else ``$XDG_CACHE_HOME/cogov/spinup``, else
``~/.cache/cogov/spinup``; least recently used entries removed beyond ``disk_mb``). The
cache is off with ``COGOV_NO_CACHE=1`` (the commands' ``--no-cache`` sets it, so worker
processes inherit it) or :func:`configure`. ``cogov cache`` lists and clears it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from . import snapshot

# what a spin-up does not depend on: names, and settings that act from day 0 on
_RUN_NOT_IN_KEY = ("days", "policy_start_day", "record_every")


@dataclass
class Settings:
    enabled: bool = True
    directory: Path | None = None  # None: the default folder (see module docstring)
    memory_mb: float = 512.0
    disk_mb: float = 2048.0
    use_disk: bool = True


_settings = Settings()
_memory: OrderedDict[str, snapshot.Snapshot] = OrderedDict()
_memory_lock = threading.Lock()
_key_locks: dict[str, threading.Lock] = {}
stats = {"memory_hits": 0, "disk_hits": 0, "misses": 0, "stored": 0}


def configure(**changes) -> Settings:
    """Change the cache's settings (``enabled``, ``directory``, ``memory_mb``, ``disk_mb``,
    ``use_disk``); returns them. Unknown names are an error."""
    for k, v in changes.items():
        if not hasattr(_settings, k):
            raise TypeError(f"unknown cache setting {k!r}; valid: {', '.join(vars(_settings))}")
        setattr(_settings, k, Path(v) if k == "directory" and v is not None else v)
    return _settings


def enabled() -> bool:
    return _settings.enabled and os.environ.get("COGOV_NO_CACHE", "") not in ("1", "true", "yes")


def directory() -> Path:
    """The folder of the disk cache."""
    if _settings.directory is not None:
        return _settings.directory
    env = os.environ.get("COGOV_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "cogov" / "spinup"


def disk_limit_mb() -> float:
    env = os.environ.get("COGOV_CACHE_MAX_MB")
    if env:
        try:
            return max(0.0, float(env))
        except ValueError:
            pass
    return _settings.disk_mb


_SOURCE_HASH: str | None = None


def model_source_hash() -> str:
    """SHA-256 of the model's source: every .py of the package but the app, the studies
    and the command line (they do not change what a spin-up computes)."""
    global _SOURCE_HASH
    if _SOURCE_HASH is None:
        h = hashlib.sha256()
        package = Path(__file__).resolve().parent
        for p in sorted(package.rglob("*.py")):
            rel = p.relative_to(package).as_posix()
            if rel.split("/")[0] in ("app", "study", "cli") or rel == "cli.py":
                continue
            h.update(rel.encode() + b"\0" + p.read_bytes() + b"\0")
        _SOURCE_HASH = h.hexdigest()
    return _SOURCE_HASH


def spinup_key(scenario, seed: int) -> tuple[str, dict]:
    """(the cache key, a short description) of the settled community of ``scenario``
    (a :class:`sim.params.Scenario`) and ``seed``."""
    from .config import with_baseline_levers
    data = with_baseline_levers(scenario).model_dump(mode="json")
    data.pop("meta", None)
    for k in _RUN_NOT_IN_KEY:
        data["run"].pop(k, None)
    edge_list = scenario.network.edge_list
    edges_sha = None
    if edge_list:
        try:
            edges_sha = hashlib.sha256(Path(edge_list).read_bytes()).hexdigest()
        except OSError:
            edges_sha = "unreadable"
    blob = json.dumps({"scenario": data, "seed": int(seed), "edge_list_sha256": edges_sha,
                       "source": model_source_hash(), "format": snapshot.FORMAT},
                      sort_keys=True).encode()
    key = hashlib.sha256(blob).hexdigest()[:32]
    pop = scenario.population
    info = {"key": key, "seed": int(seed), "scenario": scenario.meta.name,
            "communities": pop.n_communities,
            "residents_per_community": pop.residents_per_community,
            "spin_up_days": scenario.run.spin_up_days}
    return key, info


# ------------------------------------------------------------------ look-up and store
def lookup(key: str) -> snapshot.Snapshot | None:
    """The day-0 state kept under ``key``, or None (memory first, then disk)."""
    if not enabled():
        return None
    with _memory_lock:
        data = _memory.get(key)
        if data is not None:
            _memory.move_to_end(key)
            stats["memory_hits"] += 1
            return data
    if _settings.use_disk:
        path = directory() / f"{key}.npz"
        try:
            data = path.read_bytes()
        except OSError:
            data = None
        if data is not None:
            try:
                snap = snapshot.Snapshot.from_bytes(data, source=f"cached spin-up {path}")
            except snapshot.SnapshotError:
                with contextlib.suppress(OSError):
                    path.unlink()  # a damaged entry is dropped and computed again
                snap = None
            if snap is not None:
                with contextlib.suppress(OSError):
                    os.utime(path)  # most recently used: evicted last
                _remember(key, snap)
                stats["disk_hits"] += 1
                return snap
    stats["misses"] += 1
    return None


def store(key: str, info: dict, snap: snapshot.Snapshot) -> None:
    """Keep ``snap`` under ``key``, in memory and on disk."""
    if not enabled():
        return
    _remember(key, snap)
    stats["stored"] += 1
    if not _settings.use_disk:
        return
    folder = directory()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        data = snap.to_bytes()
        snapshot.write_atomic(folder / f"{key}.npz", data)
        meta = dict(info, bytes=len(data), created=time.strftime("%Y-%m-%dT%H:%M:%S"))
        snapshot.write_atomic(folder / f"{key}.json", json.dumps(meta).encode())
        _evict(folder)
    except OSError:
        pass  # a cache that cannot be written is only slower, never wrong


@contextlib.contextmanager
def building(key: str):
    """Held while the state of ``key`` is being computed: another thread or process
    asking for the same key waits, then finds it in the cache (one spin-up, not two)."""
    if not enabled():
        yield
        return
    with _memory_lock:
        tlock = _key_locks.setdefault(key, threading.Lock())
    with tlock:
        fh = None
        if _settings.use_disk:
            try:
                folder = directory()
                folder.mkdir(parents=True, exist_ok=True)
                fh = open(folder / f"{key}.lock", "a+b")
                fcntl.flock(fh, fcntl.LOCK_EX)
            except OSError:
                fh = None
        try:
            yield
        finally:
            if fh is not None:
                with contextlib.suppress(OSError):
                    fcntl.flock(fh, fcntl.LOCK_UN)
                fh.close()


def _remember(key: str, snap: snapshot.Snapshot) -> None:
    limit = _settings.memory_mb * 1e6
    with _memory_lock:
        _memory[key] = snap
        _memory.move_to_end(key)
        total = sum(v.nbytes for v in _memory.values())
        while total > limit and len(_memory) > 1:
            _, old = _memory.popitem(last=False)
            total -= old.nbytes


def _evict(folder: Path) -> None:
    """Remove the least recently used entries beyond the size limit."""
    limit = disk_limit_mb() * 1e6
    entries = []
    for p in folder.glob("*.npz"):
        with contextlib.suppress(OSError):
            st = p.stat()
            entries.append((st.st_mtime, st.st_size, p))
    total = sum(e[1] for e in entries)
    for _, size, p in sorted(entries):
        if total <= limit:
            break
        for q in (p, p.with_suffix(".json"), p.with_suffix(".lock")):
            with contextlib.suppress(OSError):
                q.unlink()
        total -= size


# ------------------------------------------------------------------ listing and clearing
def entries() -> list[dict]:
    """The disk cache's entries, most recently used first."""
    folder = directory()
    out = []
    for p in folder.glob("*.npz") if folder.is_dir() else ():
        try:
            st = p.stat()
        except OSError:
            continue
        meta = {}
        with contextlib.suppress(OSError, ValueError):
            meta = json.loads(p.with_suffix(".json").read_text())
        meta = meta if isinstance(meta, dict) else {}
        meta.update(key=p.stem, bytes=st.st_size,
                    last_used=time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(st.st_mtime)),
                    _mtime=st.st_mtime)
        out.append(meta)
    out.sort(key=lambda m: -m["_mtime"])
    for m in out:
        m.pop("_mtime")
    return out


def clear(memory: bool = True, disk: bool = True) -> int:
    """Empty the cache; returns the number of disk entries removed."""
    if memory:
        with _memory_lock:
            _memory.clear()
    removed = 0
    folder = directory()
    if disk and folder.is_dir():
        for p in folder.iterdir():
            if p.suffix in (".npz", ".json", ".lock", ".tmp") or p.name.startswith("."):
                with contextlib.suppress(OSError):
                    p.unlink()
                    removed += p.suffix == ".npz"
    return removed


# ------------------------------------------------------------------ preparing ahead
def holds(scenario, seed: int) -> bool:
    """Whether the settled community of (``scenario``, ``seed``) is in the cache (memory
    or disk), without loading it."""
    if not enabled():
        return False
    key, _ = spinup_key(scenario, seed)
    with _memory_lock:
        if key in _memory:
            return True
    return _settings.use_disk and (directory() / f"{key}.npz").is_file()


def memory_keys() -> list[str]:
    """The keys held in memory, least recently used first (for tests and `-v`)."""
    with _memory_lock:
        return list(_memory)


@contextlib.contextmanager
def disabled():
    """Within this block the cache is neither read nor written (this process only)."""
    old = _settings.enabled
    _settings.enabled = False
    try:
        yield
    finally:
        _settings.enabled = old
