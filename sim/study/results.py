"""Writing and reading results: atomic files, manifests, the tables and names read back
from them, and results directories.

Why one long module: every command writes and reads its folder through these few rules
(atomic files, checked names and tables, one lock, build beside and rename), kept together
so that they cannot drift apart."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import tempfile
import unicodedata
from importlib import metadata
from pathlib import Path

import pandas as pd

RESULTS = Path("results")  # where commands write when --out is not given

# the cogov command line of this process, as typed (set by sim.cli.main; None when the
# model runs from Python): manifests record it
COMMAND_LINE: str | None = None

PACKAGES = ("mesa", "numpy", "numba", "llvmlite", "scipy", "pandas", "pyarrow", "pydantic",
            "networkx", "SALib", "matplotlib", "PyYAML", "dask", "distributed")


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return out


def cogov_version() -> str:
    """The installed cogov's version (the package metadata), else sim.__version__."""
    try:
        return metadata.version("cogov")
    except metadata.PackageNotFoundError:
        from .. import __version__
        return __version__


def source_sha256() -> str:
    """SHA-256 of the model's source (every .py of the sim package but the browser app, by
    path and content): identifies the code that ran even where there is no git checkout (a
    wheel install)."""
    import hashlib
    h = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    for p in sorted(package.rglob("*.py")):
        rel = p.relative_to(package).as_posix()
        if not rel.startswith("app/"):
            h.update(rel.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def manifest_base(command: str, command_line: str | None = None) -> dict:
    """What every manifest records to be replayable: ``command_line``, the command that
    reproduces the results (flags that do not change results left out; default: as typed),
    ``command_typed``, the command as typed, where it ran,
    cogov's version, the git commit (None outside a checkout), the source hash and the
    versions of the packages results depend on."""
    from datetime import datetime, timezone

    return {"command": command, "command_line": command_line or COMMAND_LINE or "",
            "command_typed": COMMAND_LINE or "",
            "working_directory": os.getcwd(), "cogov_version": cogov_version(),
            "git_commit": git_commit(), "source_sha256": source_sha256(),
            "versions": package_versions(), "platform": platform.platform(),
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds")}


def run_canonical(scenario_file, seed: int, days: int | None, overrides: list[str] | None,
                  out: str | Path | None = None) -> str:
    """The command line that reproduces a run (flags that do not change results left out)."""
    import shlex
    canonical = ["cogov", "run", str(scenario_file), "--seed", str(seed)]
    canonical += ["--days", str(days)] if days is not None else []
    for item in overrides or []:
        canonical += ["--set", item]
    canonical += ["--out", str(out)] if out is not None else []
    return shlex.join(canonical)


def run_manifest(scenario, scenario_file, overrides: list[str] | None, seed: int,
                 command_line: str | None = None) -> dict:
    """manifest.json of one run: what reproduces it (``cogov run`` and the app write it)."""
    from ..config import config_hash
    line = command_line or run_canonical(scenario_file, seed, None, overrides)
    return {**manifest_base("run", line), "scenario_file": str(scenario_file),
            "overrides": overrides or [], "seed": seed,
            "scenario": scenario.model_dump(mode="json"), "config_hash": config_hash(scenario)}


def git_commit() -> str | None:
    """The commit of the code that ran, with '-dirty' if the tree had changes."""
    here = Path(__file__).resolve().parents[2]
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True,
                             text=True, timeout=5).stdout.strip()
        if not sha:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "sim"], cwd=here,
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return sha + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def _json_default(o):
    if hasattr(o, "item"):
        return o.item()
    raise TypeError(f"not JSON serializable: {type(o).__name__}")


def json_text(data) -> str:
    """The text of a results JSON file (summary.json, manifest.json), as write_json_atomic writes it."""
    return json.dumps(data, indent=2, sort_keys=True, default=_json_default, allow_nan=True) + "\n"


def parquet_bytes(df: pd.DataFrame) -> bytes:
    """A time series as the bytes of the Parquet file ``write_parquet_atomic`` writes."""
    import io
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return buf.getvalue()


def umask() -> int:
    """The process umask, read without changing it (os.umask would race with threads)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    old = os.umask(0o022)
    os.umask(old)
    return old


def follow_umask(path: Path, folder: bool = False) -> None:
    """mkstemp/mkdtemp create 0600/0700 whatever the umask; give the final file or folder the
    mode a plain open()/mkdir() would, so colleagues on a shared machine can read results."""
    os.chmod(path, (0o777 if folder else 0o666) & ~umask())


def _tmp_file(path: Path) -> str:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    follow_umask(Path(tmp))
    return tmp


def _write_atomic(path: Path, write) -> None:
    """``write(tmp)`` to a temporary file beside ``path``, then put it in place in one
    rename: a reader never sees half a file, and a failed write leaves nothing behind."""
    path = Path(path)
    tmp = None
    try:
        tmp = _tmp_file(path)
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:  # disk full, quota, permissions: name the file being written
        if exc.filename in (None, tmp) or not isinstance(exc.filename, (str, os.PathLike)):
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
        raise
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)


def write_json_atomic(path: Path, data) -> None:
    text = json_text(data)

    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)

    _write_atomic(path, write)


def write_parquet_atomic(path: Path, df: pd.DataFrame, csv: bool = False) -> None:
    """Write a Parquet table (and, with ``csv``, the same table as CSV beside it)."""
    _write_atomic(path, lambda tmp: df.to_parquet(tmp, index=False))
    if csv:
        write_csv_atomic(Path(path).with_suffix(".csv"), df)


def write_csv_atomic(path: Path, df: pd.DataFrame) -> None:
    _write_atomic(path, lambda tmp: df.to_csv(tmp, index=False))


def load_manifest(path: Path, missing: str, damaged: str) -> dict:
    """The manifest.json at ``path``; a clear error, ``missing`` or ``damaged`` (where
    ``{exc}`` stands for the reason), if it is not there or cannot be read."""
    from ..config import ScenarioError
    if not Path(path).is_file():
        raise ScenarioError(missing)
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ScenarioError(damaged.replace("{exc}", str(exc))) from None
    except RecursionError:
        raise ScenarioError(damaged.replace("{exc}", "nested too deeply")) from None


def read_table(path: Path, columns: list[str] | None = None) -> pd.DataFrame:
    """A Parquet table cogov wrote; a damaged or unreadable one is a one-line
    :class:`~sim.config.ScenarioError` naming the file (not a pyarrow traceback)."""
    import pyarrow as pa

    from ..config import ScenarioError
    try:
        return pd.read_parquet(path, columns=columns)
    except (OSError, ValueError, KeyError, pa.ArrowException) as exc:
        why = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise ScenarioError(f"{path}: not a readable Parquet table ({why}); it is damaged or "
                            "was not written by cogov") from None


MAX_NAME = 200


def check_name(name, where: str) -> str:
    """A scenario name read from a file cogov did not necessarily write (a manifest): a
    plain name such as ``baseline``, never a path."""
    from ..config import ScenarioError
    if not isinstance(name, str):
        raise ScenarioError(f"{where}: a scenario name is text, got {type(name).__name__}")
    bad = ("is empty" if not name.strip() else
           f"is longer than {MAX_NAME} characters" if len(name) > MAX_NAME else
           "contains a path separator ('/' or '\\')" if "/" in name or "\\" in name else
           "contains '..'" if ".." in name else
           "is '.'" if name == "." else
           "contains a control character" if any(unicodedata.category(c)[0] == "C" for c in name)
           else None)
    if bad:
        raise ScenarioError(f"{where}: scenario name {name[:60]!r} {bad}; a name is a file stem "
                            "such as 'baseline' (this file was not written by cogov, or was edited)")
    return name


def differing_keys(old: dict, new: dict, prefix: str = "") -> list[str]:
    """Dotted keys whose values differ between two (nested) dicts, in order; NaN equals NaN
    (a summary's undefined outcome is the same undefined outcome)."""
    out = []
    for k in sorted(set(old) | set(new), key=str):
        a, b = old.get(k), new.get(k)
        if isinstance(a, dict) and isinstance(b, dict):
            out += differing_keys(a, b, f"{prefix}{k}.")
        elif a != b and not (a != a and b != b):
            out.append(f"{prefix}{k}")
    return out


# ------------------------------------------------------------------- output folders
def check_out(out: Path, force: bool = False, option: str = "--out") -> None:
    """Refuse an output path that cannot become a results folder, before anything runs: a
    file, a path under a file, a folder that cannot be written, or (without ``force``) a
    folder that already holds something."""
    from ..config import ScenarioError

    out = Path(out)
    if not str(out).strip():
        raise ScenarioError(f"{option}: empty path; give a folder")
    new = [p.name for p in [out, *out.parents] if p == out or not p.exists()]
    longest = max((len(os.fsencode(part)) for part in new), default=0)
    limit = _name_max(out) - 16  # room for the lock and build folders beside it (.NAME.lock)
    if longest > limit:
        raise ScenarioError(f"{option} {str(out)[:80]}...: a name in the path has {longest} bytes; "
                            f"this file system allows {limit} here (choose a shorter --out)")
    for p in [out, *out.parents]:
        if p.exists() or p.is_symlink():
            if not p.is_dir():
                what = "is a file" if p == out else f"is under {p}, which is a file"
                raise ScenarioError(f"{option} {out}: {what}; give a folder")
            break
    if out.is_dir() and any(out.iterdir()) and not force:
        raise ScenarioError(f"{option} {out}: the folder exists and is not empty; use --force to "
                            "replace it, or another --out")
    existing = next((p for p in [out, *out.parents] if p.exists()), Path("."))
    target = existing if existing != out else out.parent if out.parent.exists() else out
    if not os.access(target if target.is_dir() else target.parent, os.W_OK | os.X_OK):
        raise ScenarioError(f"{option} {out}: no permission to write in {target}")


def _name_max(path: Path) -> int:
    """The longest file name the file system holding ``path`` allows (255 on most)."""
    existing = next((p for p in [path, *path.parents] if p.exists()), Path("."))
    try:
        return os.pathconf(existing if existing.is_dir() else existing.parent, "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


_HELD: set[str] = set()  # folders this process holds the lock of (the lock is re-entrant)


class OutputLock:
    """An exclusive lock on an output folder (``.NAME.lock`` beside it), so two cogov
    processes cannot write the same results; the second is refused at once."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.path = self.folder.with_name(f".{self.folder.name}.lock")
        self.fd: int | None = None
        self.key = str(self.folder.resolve())
        self.nested = False

    def __enter__(self) -> OutputLock:
        import fcntl

        from ..config import ScenarioError
        if self.key in _HELD:
            self.nested = True
            return self
        self.folder.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise ScenarioError(f"{self.folder}: another cogov process is writing there "
                                    f"(it holds {self.path.name}); wait for it or choose another "
                                    "--out") from None
            try:  # the holder before us may have removed the file: lock the one on disk
                if os.stat(self.path).st_ino == os.fstat(fd).st_ino:
                    break
            except FileNotFoundError:
                pass
            os.close(fd)
        self.fd = fd
        _HELD.add(self.key)
        return self

    def __exit__(self, *exc) -> bool:
        if self.nested:
            return False
        _HELD.discard(self.key)
        if self.fd is not None:
            try:
                os.unlink(self.path)
            except OSError:
                pass
            os.close(self.fd)
            self.fd = None
        return False


def clean_stale(folder: Path) -> list[Path]:
    """Remove what a killed cogov left beside ``folder`` (``.NAME.XXXX`` build folders,
    ``.NAME.old``) and inside it (``.FILE.XXXX.tmp``). Call with the folder's lock held."""
    folder = Path(folder)
    removed = []
    if folder.parent.is_dir():
        for p in folder.parent.glob(f".{folder.name}.*"):
            if p.name == f".{folder.name}.lock":
                continue
            if p.is_dir() or p.name.endswith(".tmp") or p.name.endswith(".old"):
                shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
                removed.append(p)
    if folder.is_dir():
        for p in list(folder.glob(".*.tmp")) + list(folder.glob("*/.*.tmp")):
            p.unlink(missing_ok=True)
            removed.append(p)
    return removed


class ResultsDir:
    """Build a results directory in a temporary sibling, then rename it into place, so that
    no half-written directory is ever left where the final one belongs. Holds the folder's
    lock from entry to exit and first removes what a killed run left behind."""

    def __init__(self, final: Path, overwrite: bool = True):
        self.final = Path(final)
        self.overwrite = overwrite
        self.lock = OutputLock(self.final)

    def __enter__(self) -> Path:
        self.lock.__enter__()
        try:
            check_out(self.final, force=self.overwrite)
            clean_stale(self.final)
            if self.final.exists():
                self._probe_replace()
            self.tmp = Path(tempfile.mkdtemp(dir=self.final.parent, prefix=f".{self.final.name}."))
            follow_umask(self.tmp, folder=True)
        except BaseException:
            self.lock.__exit__(None, None, None)
            raise
        return self.tmp

    def _probe_replace(self) -> None:
        """Before any work: can the folder being replaced be moved aside? (An immutable
        folder, ``chattr +i``, passes every permission check and refuses only the rename.)"""
        from ..config import ScenarioError
        probe = self.final.with_name(f".{self.final.name}.old")
        shutil.rmtree(probe, ignore_errors=True)
        try:
            os.replace(self.final, probe)
        except OSError as exc:
            raise ScenarioError(f"--out {self.final}: cannot be replaced ({exc.strerror or exc}); "
                                "is it immutable or on a read-only file system? Choose another "
                                "--out") from None
        os.replace(probe, self.final)

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is not None:
                shutil.rmtree(self.tmp, ignore_errors=True)
                return False
            try:
                if self.final.exists():
                    old = self.final.with_name(f".{self.final.name}.old")
                    shutil.rmtree(old, ignore_errors=True)
                    os.replace(self.final, old)
                    try:
                        os.replace(self.tmp, self.final)
                    except OSError:
                        os.replace(old, self.final)  # put the previous results back
                        raise
                    shutil.rmtree(old, ignore_errors=True)
                else:
                    os.replace(self.tmp, self.final)
            except OSError:
                shutil.rmtree(self.tmp, ignore_errors=True)  # no hidden build folder left
                raise
            return False
        finally:
            self.lock.__exit__(None, None, None)
