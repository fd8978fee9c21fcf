"""The one way cogov runs many runs: `cogov compare` and `cogov sweep` both go through here.

A *task* is one replication: a fully resolved scenario (a dict), a seed, a horizon and what
to record. Tasks are grouped into batches of about ``batch_seconds`` each and executed in
local worker processes or on a Dask cluster. Each task is deterministic given its scenario
and seed, so results do not depend on the number of workers, the executor or the order in
which batches finish; callers key results by ``run_id``.

A task that raises is returned with ``ok=False`` and its traceback; the others go on.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field

from ..params import Run
from ._deathguard import forkserver_context

DEFAULT_SPIN_UP_DAYS = Run().spin_up_days

EXECUTORS = ("local", "dask")
CLUSTER_INSTALL = "pip install 'cogov[cluster]'   (in a checkout: .venv/bin/pip install -e '.[cluster]')"


def require_dask() -> None:
    """--executor dask needs the optional 'cluster' extra: say how to install it."""
    from ..config import ScenarioError
    try:
        import cryptography  # noqa: F401  (TLS credentials for the local cluster)
        import distributed  # noqa: F401
    except ImportError as exc:
        raise ScenarioError(f"--executor dask needs the 'cluster' extra ({exc.name} is not "
                            f"installed): {CLUSTER_INSTALL}") from None


@dataclass
class Task:
    run_id: int
    scenario: dict
    seed: int
    days: int | None = None
    record_every: int | None = None
    keep_timeseries: bool = True
    outcomes: list[str] | None = None  # summary keys to keep (None: all)
    labels: dict = field(default_factory=dict)


HOLD_VARIABLE = "COGOV_TEST_HOLD_RUN"


def _hold_for_test(run_id: int) -> None:
    """A test hook, so that a test can kill a sweep at a known point instead of racing it:
    with ``COGOV_TEST_HOLD_RUN=RUN_ID:DIR`` set, the first process to finish run RUN_ID's
    simulation (the first to create ``DIR/held``, in which it writes its process id) waits,
    before reporting the run, until ``DIR/release`` exists (at most ten minutes). Any other
    process, and any rerun of that run, goes on."""
    spec = os.environ.get(HOLD_VARIABLE)
    if not spec:
        return
    rid, _, folder = spec.partition(":")
    if int(rid) != run_id:
        return
    try:
        fd = os.open(os.path.join(folder, "held"), os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as f:
        f.write(str(os.getpid()))
    until = time.monotonic() + 600
    while not os.path.exists(os.path.join(folder, "release")) and time.monotonic() < until:
        time.sleep(0.01)


def execute_task(task: Task) -> dict:
    """Run one task in this process; never raises."""
    from ..params import Scenario
    from .runner import run_one

    t0 = time.perf_counter()
    try:
        scenario = Scenario.model_validate(task.scenario)
        res = run_one(scenario, task.seed, days=task.days, record=task.keep_timeseries,
                      record_every=task.record_every)
        _hold_for_test(task.run_id)
        summary = res.summary
        if task.outcomes is not None:
            summary = {k: summary[k] for k in task.outcomes}
        return {"run_id": task.run_id, "ok": True, "summary": summary,
                "timeseries": res.timeseries, "error": None, "labels": task.labels,
                "seconds": time.perf_counter() - t0}
    except Exception:  # recorded with its traceback; the sweep goes on
        return {"run_id": task.run_id, "ok": False, "summary": None, "timeseries": None,
                "error": traceback.format_exc(), "labels": task.labels,
                "seconds": time.perf_counter() - t0}


def execute_batch(tasks: list[Task]) -> list[dict]:
    return [execute_task(t) for t in tasks]


def batches(tasks: list[Task], size: int) -> list[list[Task]]:
    size = max(1, int(size))
    return [tasks[i:i + size] for i in range(0, len(tasks), size)]


def estimate_seconds(task: Task) -> float:
    """Rough cost of a task, to size batches before anything has been measured."""
    sc = task.scenario
    pop = sc.get("population", {})
    n = pop.get("n_communities", 1) * pop.get("residents_per_community", 5000)
    run = sc.get("run", {})
    days = task.days or run.get("days", 365)
    # the spin-up is simulated too, at about the cost of a reported day
    days += run.get("spin_up_days", DEFAULT_SPIN_UP_DAYS)
    return 0.2 + n * days * 1.6e-7  # measured: ~0.8 s for 10,000 residents x 365 days


def run_many(tasks: Iterable[Task], workers: int = 1, executor: str = "local",
             scheduler: str | None = None, batch_seconds: float = 1.0,
             progress: bool = True, desc: str = "runs",
             on_result: Callable[[dict], None] | None = None) -> Iterator[dict]:
    """Execute tasks; yield each result (in completion order) as it arrives."""
    tasks = list(tasks)
    if executor not in EXECUTORS:
        raise ValueError(f"executor must be one of {EXECUTORS}, got {executor!r}")
    if not tasks:
        return
    est = max(1e-3, sum(estimate_seconds(t) for t in tasks[:20]) / min(20, len(tasks)))
    size = max(1, round(batch_seconds / est))
    # at least four batches per worker, so that no worker idles while another finishes
    size = max(1, min(size, len(tasks) // (4 * max(1, workers))))
    groups = batches(tasks, size)
    bar = _Progress(len(tasks), desc, progress)
    from . import feedback
    verbose = feedback.VERBOSITY > 0
    seeds = {t.run_id: t.seed for t in tasks} if verbose else {}
    if verbose:
        feedback.detail(f"{desc}: {len(tasks)} runs in {len(groups)} batches of up to {size}, "
                   f"{workers} worker(s) ({executor})")
    try:
        if executor == "local" and workers <= 1:
            source = (r for g in groups for r in execute_batch(g))
        elif executor == "local":
            source = _local(groups, workers)
        else:
            source = _dask(groups, workers, scheduler)
        for result in source:
            if verbose:
                feedback.detail(f"  {desc}: run {result['run_id']} seed {seeds.get(result['run_id'])} "
                           f"{'ok' if result['ok'] else 'FAILED'} in {result['seconds']:.2f} s")
            bar.update(result)
            if on_result is not None:
                on_result(result)
            yield result
    finally:
        bar.close()


def _local(groups: list[list[Task]], workers: int) -> Iterator[dict]:
    # forkserver: no inherited locks or threads (unlike fork), and the heavy imports are done
    # once in the server, so each worker starts in milliseconds (unlike spawn). One maths
    # thread per worker: the workers already fill the cores.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    # the forkserver and its workers die with this process (sim.study._deathguard)
    ctx = forkserver_context(["sim.study.parallel", "sim.model", "sim.study.runner"])
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                             initializer=_worker_init) as pool:
        pending = set()
        it = iter(groups)
        # keep at most 2 batches per worker in flight, so an interrupted run loses little
        for g in it:
            pending.add(pool.submit(execute_batch, g))
            if len(pending) >= 2 * workers:
                break
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                yield from fut.result()
                nxt = next(it, None)
                if nxt is not None:
                    pending.add(pool.submit(execute_batch, nxt))


def _worker_init() -> None:
    """In each local worker: die with the forkserver, which dies with cogov. (The forkserver's
    fork hook has done this already; here again for a forkserver started without the guard.)"""
    from . import _deathguard
    _deathguard.die_with_parent(_deathguard.SERVER_PID)


def _stop_http(dask_worker=None, dask_scheduler=None) -> None:
    server = getattr(dask_worker or dask_scheduler, "http_server", None)
    if server is not None:
        server.stop()


@contextmanager
def dask_client(workers: int, scheduler: str | None = None):
    """A Client on an existing cluster (``scheduler``: its address) or on a LocalCluster of
    ``workers`` single-threaded processes started for this call. A local cluster listens on
    loopback with TLS and credentials made for this run (distributed's temporary security),
    so no other local user can connect, and its HTTP servers (dashboard, metrics) are
    stopped: they serve no route while starting and are closed once the cluster is up."""
    import logging

    import dask
    from distributed import Client, LocalCluster
    from distributed.security import Security

    require_dask()
    if scheduler:
        client = Client(scheduler, timeout="30s")
        try:
            yield client
        finally:
            client.close()
        return
    security = Security.temporary()
    with dask.config.set({"distributed.scheduler.http.routes": [],
                          "distributed.worker.http.routes": []}):
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                               host="127.0.0.1", protocol="tls://", security=security,
                               dashboard_address=None, worker_dashboard_address=None,
                               silence_logs=logging.ERROR)
    client = Client(cluster, security=security)
    try:
        client.run(_stop_http)
        client.run_on_scheduler(_stop_http)
        yield client
    finally:
        client.close()
        cluster.close()


def _dask(groups: list[list[Task]], workers: int, scheduler: str | None) -> Iterator[dict]:
    """Batches as Dask futures, on an existing cluster (``scheduler``: its address) or on a
    LocalCluster of ``workers`` single-threaded processes started for this call.

    A worker that dies takes its batches with it; the scheduler reruns them on the others
    (up to ``distributed.scheduler.allowed-failures`` times, default 3). ``as_completed``
    yields every future once, so no run is reported twice. Earlier batches get higher
    priority, so the caller's (interleaved) order is kept as far as the cluster allows.
    """
    with dask_client(workers, scheduler) as client:
        yield from _dask_batches(client, groups)


def _dask_batches(client, groups: list[list[Task]]) -> Iterator[dict]:
    from distributed import as_completed

    futures = []
    try:
        # pure=False: identical batches are still separate runs; execute_batch never raises,
        # so retries only matter for errors outside a run (e.g. unpicklable results)
        futures = [client.submit(execute_batch, g, pure=False, retries=2, priority=-i,
                                 key=f"cogov-batch-{i}-{os.getpid()}-{time.time_ns()}")
                   for i, g in enumerate(groups)]
        for fut in as_completed(futures):
            results = fut.result()
            fut.release()  # drop the result from the cluster's memory
            yield from results
    finally:
        if futures:
            client.cancel([f for f in futures if not f.done()])


class _Progress:
    """A progress bar showing done, failed, remaining and time left (tqdm on stderr)."""

    def __init__(self, total: int, desc: str, enabled: bool):
        self.failed = 0
        self.done = 0
        self.total = total
        self.bar = None
        if enabled:
            from tqdm import tqdm
            self.bar = tqdm(total=total, desc=desc, unit="run", dynamic_ncols=True,
                            disable=None if os.environ.get("CI") is None else True)

    def update(self, result: dict) -> None:
        self.done += 1
        self.failed += 0 if result["ok"] else 1
        if self.bar is not None:
            self.bar.set_postfix(failed=self.failed, remaining=self.total - self.done, refresh=False)
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
