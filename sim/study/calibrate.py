"""``cogov calibrate CALIBRATION.yaml``: fit uncertain parameters to published targets.

A calibration file names a scenario, the free parameters (role ``uncertainty``; each
searched over its declared plausible range unless the file narrows it), the targets (a
summary outcome, its published value and band, its source and a weight), the horizon in
years after the spin-up and the replications. The search is Optuna's TPE sampler (chosen
over an ABC sampler such as pyabc because the targets are bands of grade C/D figures, not
likelihoods: a loss that is zero inside every band and grows outside it is the honest
objective, and TPE handles mixed integer/float parameters, resumes from its journal file
and takes trials in batches that run in parallel through the sweep executors, local
processes or Dask).

Loss of a trial (mean over replications of each outcome ``m``; band ``[lo, hi]``, width
``w = hi - lo``):

    in band:      0.1 x ((m - value) / w)^2          (a weak pull to the central value)
    outside:      1 + (distance to the band / w)^2
    total:        sum over targets of weight x loss

Outputs in ``--out`` (default ``results/calibrate_<name>/``): ``study.log`` (Optuna's
journal: ``--resume`` continues it), ``trials.csv``, ``best.json`` (parameters and loss),
``best.yaml`` (a scenario that extends the calibrated one with the best parameters),
``fit.csv`` (each target: band, value, mean and 95% interval over ``check_replications``
fresh seeds at the best parameters, PASS/FAIL), ``calibration.png`` (also .svg and .pdf)
and ``manifest.json``; ``calibration.json`` (the calibration as started: ``--resume`` refuses
a changed one).

Why one long module: the file's schema, the search, its resume and its outputs share one
calibration and its checks.
"""

from __future__ import annotations

import json
import shutil
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..catalog import OUTCOMES, axis_label
from ..config import ScenarioError, apply_overrides, config_hash, load_scenario, read_yaml, validate
from ..params import iter_parameters, plausible_range
from .results import RESULTS, check_out, differing_keys, write_json_atomic


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Target(_Strict):
    outcome: str
    band: tuple[float, float]
    value: float | None = None
    weight: float = Field(1.0, gt=0)
    source: str

    @model_validator(mode="after")
    def _check(self) -> "Target":
        if self.outcome not in OUTCOMES or OUTCOMES[self.outcome].where not in ("summary", "both"):
            raise ValueError(f"unknown summary outcome {self.outcome!r} (see sim/catalog.py)")
        lo, hi = self.band
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise ValueError(f"band of {self.outcome} must be two finite numbers, low < high")
        if self.value is None:
            self.value = (lo + hi) / 2
        if not math.isfinite(self.value):
            raise ValueError(f"value of {self.outcome} must be a finite number, got {self.value}")
        if not math.isfinite(self.weight):
            raise ValueError(f"weight of {self.outcome} must be a finite positive number, got {self.weight}")
        return self


class FreeParameter(_Strict):
    key: str
    low: float | None = None
    high: float | None = None


class Calibration(_Strict):
    name: str = Field("calibration", pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}$")
    scenario: str
    set: dict[str, object] = {}
    years: int = Field(1, ge=1, le=10)
    replications: int = Field(3, ge=1, le=100)
    check_replications: int = Field(10, ge=2, le=200)
    trials: int = Field(40, ge=1, le=10000)
    batch: int = Field(4, ge=1, le=256)
    seed: int = Field(1, ge=0, le=2**31 - 1)
    targets: list[Target]
    parameters: list[FreeParameter]

    @model_validator(mode="after")
    def _check(self) -> "Calibration":
        if not self.targets or not self.parameters:
            raise ValueError("a calibration needs at least one target and one parameter")
        known = {path: field for path, field, _ in iter_parameters()}
        for fp in self.parameters:
            if fp.key not in known:
                raise ValueError(f"unknown parameter {fp.key!r}")
            extra = known[fp.key].json_schema_extra or {}
            if extra.get("role") != "uncertainty":
                raise ValueError(f"{fp.key} has role {extra.get('role')!r}: only uncertainties are calibrated")
            rng = plausible_range(fp.key)
            if rng is None and (fp.low is None or fp.high is None):
                raise ValueError(f"{fp.key} has no declared range: give low and high")
            lo = fp.low if fp.low is not None else rng[0]
            hi = fp.high if fp.high is not None else rng[1]
            if not (math.isfinite(lo) and math.isfinite(hi)):
                raise ValueError(f"{fp.key}: low and high must be finite numbers, got {lo} and {hi}")
            if not lo < hi:
                raise ValueError(f"{fp.key}: low {lo} must be below high {hi}")
            if _is_int(fp.key) and math.ceil(lo) > math.floor(hi):
                raise ValueError(f"{fp.key} takes whole numbers and {lo:g} to {hi:g} holds none")
            fp.low, fp.high = float(lo), float(hi)
        return self


def load(path: str | Path) -> tuple[Calibration, Path]:
    """Read and check a calibration file (a clear :class:`ScenarioError` on any mistake)."""
    path = Path(path)
    # read_yaml: duplicate keys, nesting, size and encoding refused with the file named
    data = read_yaml(path, "calibration")
    try:
        cal = Calibration.model_validate(data)
    except ValidationError as exc:
        msgs = "; ".join(f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])
        raise ScenarioError(f"{path}: {' '.join(msgs.split())}") from None
    if "\0" in cal.scenario or not cal.scenario.strip():
        raise ScenarioError(f"{path}: key 'scenario' must name a scenario file")
    scenario_path = (path.parent / cal.scenario).resolve()
    return cal, scenario_path


def _is_int(key: str) -> bool:
    for path, field, _ in iter_parameters():
        if path == key:
            return field.annotation is int
    return False


def loss(means: dict[str, float], targets: list[Target]) -> float:
    """The calibration loss of a trial's mean outcomes (module docstring)."""
    total = 0.0
    for t in targets:
        m = means.get(t.outcome, float("nan"))
        lo, hi = t.band
        w = hi - lo
        if not math.isfinite(m):
            total += t.weight * 10.0  # undefined outcome: as bad as far outside the band
        elif lo <= m <= hi:
            total += t.weight * 0.1 * ((m - t.value) / w) ** 2
        else:
            d = lo - m if m < lo else m - hi
            total += t.weight * (1.0 + (d / w) ** 2)
    return total


def _scenario_dict(base, overrides: dict) -> dict:
    data = base.model_dump()
    return validate(apply_overrides(data, {k: v for k, v in overrides.items()}, origin="calibration"),
                    "calibration").model_dump()


def _bar(total: int, enabled: bool, desc: str):
    """A tqdm progress bar over runs, with ETA, on stderr (None when off)."""
    if not enabled or total <= 0:
        return None
    import os

    from tqdm import tqdm
    return tqdm(total=total, desc=desc, unit="run", dynamic_ncols=True,
                disable=None if os.environ.get("CI") is None else True)


def _evaluate(cal: Calibration, base, param_sets: list[dict], seeds: list[int], workers: int,
              executor: str, scheduler: str | None, bar=None) -> list[dict[str, list[float]]]:
    """Run every parameter set on every seed; per set, each target outcome's values."""
    from .parallel import Task, run_many
    days = 365 * cal.years
    outcomes = [t.outcome for t in cal.targets]
    tasks = []
    for i, params in enumerate(param_sets):
        sc = _scenario_dict(base, params)
        for seed in seeds:
            tasks.append(Task(run_id=len(tasks), scenario=sc, seed=seed, days=days,
                              keep_timeseries=False, outcomes=outcomes, labels={"set": i}))
    values: list[dict[str, list[float]]] = [{k: [] for k in outcomes} for _ in param_sets]
    for r in run_many(tasks, workers=workers, executor=executor, scheduler=scheduler,
                      progress=False, desc="calibrate",
                      on_result=(lambda _: bar.update(1)) if bar is not None else None):
        if not r["ok"]:
            last = (r["error"] or "").strip().splitlines()[-1:] or ["unknown error"]
            raise ScenarioError("a calibration run failed: "
                                f"{last[0]}")
        for k in outcomes:
            values[r["labels"]["set"]][k].append(float(r["summary"][k]))
    return values


PLAN = "calibration.json"  # the calibration as started: --resume refuses if it changed


def _plan(cal: Calibration, base) -> dict:
    """What a resumed study must share with the one it continues: the calibration (but the
    number of trials, which --trials may raise) and the resolved base scenario."""
    return {"calibration": cal.model_dump(mode="json", exclude={"trials"}),
            "scenario_hash": config_hash(base)}


def _check_resume(out: Path, plan: dict) -> None:
    if not (out / "study.log").is_file():
        raise ScenarioError(f"--resume {out}: no study there to continue (no study.log); "
                            "leave out --resume to start one")
    try:
        then = json.loads((out / PLAN).read_text(encoding="utf-8"))
    except FileNotFoundError:
        print(f"warning: {out} has no {PLAN} (started by an older cogov); cannot check that the "
              "calibration file is unchanged", file=sys.stderr)
        return
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ScenarioError(f"{out / PLAN}: damaged ({exc}); start the study again with "
                            "another --out") from None
    changed = differing_keys(then if isinstance(then, dict) else {}, plan)
    if changed:
        raise ScenarioError(f"--resume {out}: the calibration changed since the study started "
                            f"({', '.join(changed[:6])}); its trials would mix two searches. "
                            "Restore the file, or start a new study with another --out")


def calibrate(path: str | Path, out: str | Path | None = None, workers: int = 1,
              executor: str = "local", scheduler: str | None = None, resume: bool = False,
              trials: int | None = None, quiet: bool = False, preflight: bool = True,
              progress: bool = False, verbose: bool = False) -> Path:
    """Run a calibration file; returns the output folder. Everything is checked before the
    folder is made; a study that fails before its first trial is told leaves no folder.
    ``progress``: a bar with an ETA on stderr; ``verbose``: seeds, timings and settings."""
    import optuna
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend
    from optuna.trial import TrialState

    cal, scenario_path = load(path)
    if trials is not None:
        if not 1 <= trials <= 10_000:
            raise ScenarioError(f"--trials must be from 1 to 10,000, got {trials}")
        cal.trials = trials
    if not 1 <= workers <= 1024:
        raise ScenarioError(f"--workers must be from 1 to 1024, got {workers}")
    if executor == "dask":
        from .parallel import require_dask
        require_dask()
    elif scheduler:
        raise ScenarioError("--scheduler needs --executor dask")
    base = load_scenario(scenario_path, dict(cal.set) or None)
    if preflight:
        from .preflight import check, residents
        check(residents(base), min(workers, cal.batch * cal.replications), days=365 * cal.years,
              spin_up_days=base.run.spin_up_days, what="a calibration run")
    out = Path(out) if out else RESULTS / f"calibrate_{cal.name}"
    journal = out / "study.log"
    plan = _plan(cal, base)
    if resume:
        _check_resume(out, plan)
    else:
        if out.exists() and any(out.iterdir()):
            raise ScenarioError(f"{out} exists and is not empty: pass --resume to continue its study, "
                                "or choose another --out")
        check_out(out, force=True)
    if executor == "dask" and scheduler:
        from .preflight import check_scheduler
        check_scheduler(scheduler)
    made = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    if not resume:
        write_json_atomic(out / PLAN, plan)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = JournalStorage(JournalFileBackend(str(journal)))
    study = optuna.create_study(study_name=cal.name, storage=storage, direction="minimize",
                                sampler=optuna.samplers.TPESampler(seed=cal.seed),
                                load_if_exists=True)
    # trials asked but never told (a killed run) are closed as failed, then asked anew
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        study.tell(t.number, state=TrialState.FAIL)
    seeds = [cal.seed + i for i in range(cal.replications)]
    t0 = time.perf_counter()

    def done() -> int:
        return len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)))

    def detail(text: str) -> None:
        if verbose:
            print(text, file=sys.stderr)

    detail(f"calibrate: {scenario_path}, {len(cal.parameters)} parameters, {len(cal.targets)} "
           f"targets, seeds {seeds[0]}..{seeds[-1]} (check: {cal.seed + 10_000}.."
           f"{cal.seed + 10_000 + cal.check_replications - 1}), {365 * cal.years} days, "
           f"{workers} worker(s) ({executor})")
    bar = _bar(max(0, cal.trials - done()) * len(seeds) + cal.check_replications, progress,
               "calibrate")
    try:
        while done() < cal.trials:
            k = min(cal.batch, cal.trials - done())
            asked = [study.ask() for _ in range(k)]
            sets = []
            for trial in asked:
                params = {}
                for fp in cal.parameters:
                    if _is_int(fp.key):
                        params[fp.key] = trial.suggest_int(fp.key, int(math.ceil(fp.low)), int(math.floor(fp.high)))
                    else:
                        params[fp.key] = trial.suggest_float(fp.key, fp.low, fp.high)
                sets.append(params)
            t1 = time.perf_counter()
            values = _evaluate(cal, base, sets, seeds, workers, executor, scheduler, bar)
            detail(f"calibrate: trials {asked[0].number}-{asked[-1].number} "
                   f"({len(asked) * len(seeds)} runs) in {time.perf_counter() - t1:.1f} s")
            for trial, vals in zip(asked, values):
                means = {o: float(np.mean(v)) for o, v in vals.items()}
                for o, m in means.items():
                    trial.set_user_attr(o, m)
                study.tell(trial, loss(means, cal.targets))
            if bar is not None:
                bar.set_postfix_str(f"{done()}/{cal.trials} trials, best loss {study.best_value:.4f}")
            elif not quiet:
                print(f"  {done()}/{cal.trials} trials, best loss {study.best_value:.4f}", file=sys.stderr)
    except BaseException:
        if made and done() == 0:  # nothing learnt: leave no study.log that blocks this --out
            del study, storage
            shutil.rmtree(out, ignore_errors=True)
        raise

    best = study.best_trial
    best_params = {fp.key: best.params[fp.key] for fp in cal.parameters}
    # the fit at the best parameters, on fresh seeds (not those the search saw)
    check_seeds = [cal.seed + 10_000 + i for i in range(cal.check_replications)]
    vals = _evaluate(cal, base, [best_params], check_seeds, workers, executor, scheduler, bar)[0]
    if bar is not None:
        bar.close()
    fit = fit_table(cal, vals)
    _write(out, cal, path, scenario_path, study, best_params, best.value, fit, time.perf_counter() - t0)
    if not quiet:
        print(fit_text(fit))
        print(f"wrote {out}/ (best.json, best.yaml, fit.csv, trials.csv, calibration.png, manifest.json)")
    return out


def fit_table(cal: Calibration, values: dict[str, list[float]]) -> pd.DataFrame:
    """Each target: band, value, mean and 95% t-interval over the seeds, PASS/FAIL."""
    from scipy import stats
    rows = []
    for t in cal.targets:
        v = np.asarray(values[t.outcome], float)
        v = v[np.isfinite(v)]
        mean = float(v.mean()) if v.size else float("nan")
        half = float(stats.t.ppf(0.975, v.size - 1) * v.std(ddof=1) / math.sqrt(v.size)) if v.size > 1 else float("nan")
        rows.append({"outcome": t.outcome, "label": OUTCOMES[t.outcome].label, "band_low": t.band[0],
                     "band_high": t.band[1], "value": t.value, "mean": mean,
                     "ci_low": mean - half, "ci_high": mean + half, "n": int(v.size),
                     "passed": bool(t.band[0] <= mean <= t.band[1]), "weight": t.weight,
                     "source": t.source})
    return pd.DataFrame(rows)


def fit_text(fit: pd.DataFrame) -> str:
    lines = [f"  {'target':<40} {'band':>17} {'mean [95% CI]':>26}  result"]
    for r in fit.itertuples():
        o = OUTCOMES[r.outcome]
        band = f"{o.format(r.band_low)}-{o.format(r.band_high)}"
        got = f"{o.format(r.mean)} [{o.format(r.ci_low)}, {o.format(r.ci_high)}]"
        lines.append(f"  {r.label[:40]:<40} {band:>17} {got:>26}  {"PASS" if r.passed else "FAIL"}")
    return "\n".join(lines)


def _write(out: Path, cal: Calibration, path, scenario_path: Path, study, best_params: dict,
           best_loss: float, fit: pd.DataFrame, seconds: float) -> None:
    from .results import git_commit, package_versions, write_json_atomic
    trials = study.trials_dataframe(attrs=("number", "value", "params", "user_attrs", "state"))
    _atomic_text(out / "trials.csv", trials.to_csv(index=False))
    _atomic_text(out / "fit.csv", fit.to_csv(index=False))
    write_json_atomic(out / "best.json", {"loss": best_loss, "parameters": best_params})
    sections: dict = {}
    for key, value in {**{k: v for k, v in cal.set.items()}, **best_params}.items():
        sec, name = key.split(".", 1)
        sections.setdefault(sec, {})[name] = value
    text = (f"# calibrated by `cogov calibrate {path}` (loss {best_loss:.4f})\n"
            + yaml.safe_dump({"extends": str(scenario_path), **sections}, sort_keys=False, allow_unicode=True))
    _atomic_text(out / "best.yaml", text)
    plot(out / "calibration", trials, fit)
    write_json_atomic(out / "manifest.json", {
        "command_line": _command_line(),
        "calibration": cal.model_dump(mode="json"), "calibration_file": str(Path(path).resolve()),
        "scenario": str(scenario_path), "trials_completed": int((trials["state"] == "COMPLETE").sum()),
        "best_loss": best_loss, "best_parameters": best_params, "seconds": round(seconds, 1),
        "sampler": "optuna TPESampler", "git_commit": git_commit(), "packages": package_versions()})


def _command_line() -> str | None:
    from . import results
    return results.COMMAND_LINE


def _atomic_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def plot(path: Path, trials: pd.DataFrame, fit: pd.DataFrame) -> list[Path]:
    """Left: the loss of each trial and the best so far. Right: each target's band and the
    mean with its 95% interval at the best parameters (shares in %). Written as PNG, SVG and
    PDF (``path`` without its suffix is the stem)."""
    from .figures import pyplot, save_figure, wrap
    plt = pyplot()

    fig, (a, b) = plt.subplots(1, 2, figsize=(12, max(3.8, 0.5 * len(fit) + 1.8)),
                               gridspec_kw={"width_ratios": [1, 1.5]}, layout="constrained")
    done = trials[trials["state"] == "COMPLETE"].sort_values("number")
    a.plot(done["number"], done["value"], "o", ms=3, color="0.6", label="trial")
    a.plot(done["number"], done["value"].cummin(), color="C0", label="best so far")
    a.set_yscale("symlog", linthresh=0.1)
    a.set_xlabel("trial (number)")
    a.set_ylabel(wrap("loss (0 = every target at its central value)", 30))
    a.set_title("Search (Optuna TPE)")
    a.legend(frameon=False)
    for i, r in enumerate(fit.itertuples()):
        o = OUTCOMES[r.outcome]
        s = 100.0 if o.kind == "share" else 1.0
        lo, hi = r.band_low * s, r.band_high * s
        width = hi - lo
        # each target on its own scale: the band spans 0.25-0.75 of the row
        x = lambda v: 0.25 + 0.5 * (v * s - lo) / width  # noqa: E731
        b.plot([0.25, 0.75], [i, i], color="C2", lw=6, alpha=0.35, solid_capstyle="butt")
        b.errorbar([x(r.mean)], [i], xerr=[[x(r.mean) - x(r.ci_low)], [x(r.ci_high) - x(r.mean)]],
                   fmt="o", color="C0" if r.passed else "C3", ms=5, capsize=3)
        b.text(1.02, i, f"{o.format(r.mean)}\n(band {o.format(r.band_low)}-{o.format(r.band_high)})",
               va="center", fontsize=7, transform=b.get_yaxis_transform())
    b.set_yticks(range(len(fit)), [wrap(r.label, 30) for r in fit.itertuples()], fontsize=8)
    b.set_xlim(-0.1, 1.1)
    b.set_xticks([0.25, 0.75], ["band low", "band high"])
    b.set_ylim(len(fit) - 0.5, -0.5)
    b.set_title(wrap("Fit at the best parameters (mean, 95% CI over fresh seeds; each row on "
                     "its own scale)", 60))
    written = save_figure(fig, Path(path).with_suffix(""))
    plt.close(fig)
    return written
