"""``cogov optimize OPTIMIZE.yaml``: robust lever portfolios under a yearly budget.

An optimize file names a base scenario, the levers to search (each with a range, or choices
for switches and rules), a yearly budget in yuan, the objectives (summary outcomes of
sim/catalog.py, each to maximize or minimize) and the uncertainties to be robust over
(uncertain parameters sampled from their plausible ranges by Latin hypercube, and community
sizes). Every candidate portfolio is run on the same uncertainty samples with the same
seeds (common random numbers), so candidates differ only by their levers.

The search is Optuna's NSGA-II (many objectives; a portfolio whose spend exceeds the budget
is infeasible through the sampler's ``constraints_func``), in generations of ``batch``
candidates whose runs go through the sweep executors (sim.study.parallel), resumable from
its journal file (``study.log``, as ``cogov calibrate``).

Budget: ``budget_basis: extra`` (default) counts the yuan a year a portfolio spends above
the base scenario on the same sample and seed (the base runs once per sample); ``total``
counts all its spend. Spend is per community and year (``spend_total`` over the run's days,
scaled to 365, divided by the communities); as an objective ``spend_total`` is read the same
way.

Outputs in ``--out`` (default ``results/optimize_<name>/``): ``study.log``,
``samples.parquet`` (the uncertainty samples and seeds), ``base.parquet`` (the base on each),
``settings.json`` (what a ``--resume`` must match), ``trials.parquet``/``.csv`` (every candidate: levers, objective means, extra spend,
feasible, Pareto), ``pareto.parquet``/``.csv`` (the Pareto set: for each objective the mean
and 95% interval over the runs, the worse-decile value over the uncertainty samples (10th
percentile for an objective to maximize, 90th to minimize) and the regret against the best
candidate of each sample, its maximum and mean), ``portfolios/P01.yaml`` ... (scenarios that
``extends`` the base; ``cogov run`` accepts them), ``pareto_coordinates`` and ``tradeoffs``
figures (PNG, SVG, PDF) and ``manifest.json`` (``cogov replay`` re-runs it).

Why one long module: the file's schema, the search, the robustness table and the figures
read the same objectives, levers and samples; apart they would pass them back and forth.
"""

from __future__ import annotations

import math
import os
import sys
import time
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..catalog import OUTCOMES
from ..config import ScenarioError, apply_overrides, load_scenario, read_yaml, validate
from ..params import iter_parameters, plausible_range


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LeverRange(_Strict):
    low: float | None = None
    high: float | None = None
    choices: list | None = None

    @model_validator(mode="after")
    def _check(self) -> "LeverRange":
        if self.choices is not None:
            if self.low is not None or self.high is not None:
                raise ValueError("give either low and high or choices, not both")
            if len(self.choices) < 2:
                raise ValueError("choices needs at least two values")
        elif self.low is None or self.high is None or not self.low < self.high:
            raise ValueError("give low < high (numbers) or choices (a list)")
        return self


class Uncertainties(_Strict):
    samples: int = Field(8, ge=1, le=1000)
    parameters: list[str] = []
    community_sizes: list[int] = []


class Optimize(_Strict):
    name: str = "optimize"
    scenario: str
    set: dict[str, object] = {}
    budget_yuan: float = Field(gt=0)
    budget_basis: Literal["extra", "total"] = "extra"
    years: int = Field(1, ge=1, le=10)
    days: int | None = Field(None, ge=1, le=3650)  # instead of years (short trials, tests)
    levers: dict[str, LeverRange]
    objectives: dict[str, Literal["maximize", "minimize"]]
    uncertainties: Uncertainties = Uncertainties()
    seeds_per_sample: int = Field(1, ge=1, le=100)
    trials: int = Field(60, ge=2, le=100_000)
    batch: int = Field(12, ge=2, le=1000)
    seed: int = Field(1, ge=0, le=2**31 - 1)

    @model_validator(mode="after")
    def _check(self) -> "Optimize":
        known = {path: field for path, field, _ in iter_parameters()}
        if not self.levers:
            raise ValueError("levers: name at least one lever to search")
        for key, rng in self.levers.items():
            if key not in known:
                raise ValueError(f"levers: unknown parameter {key!r} (see cogov params --role lever)")
            role = (known[key].json_schema_extra or {}).get("role")
            if role != "lever":
                raise ValueError(f"levers: {key} has role {role!r}; only levers are searched")
            if rng.choices is None and _kind(known[key]) not in ("int", "float"):
                raise ValueError(f"levers: {key} is not a number: give choices, e.g. [false, true]")
        if not self.objectives:
            raise ValueError("objectives: name at least one summary outcome")
        for o in self.objectives:
            if o not in OUTCOMES or OUTCOMES[o].where not in ("summary", "both") \
                    or OUTCOMES[o].kind == "meta":
                raise ValueError(f"objectives: {o!r} is not a summary outcome (see sim/catalog.py)")
        for key in self.uncertainties.parameters:
            if key not in known:
                raise ValueError(f"uncertainties: unknown parameter {key!r}")
            role = (known[key].json_schema_extra or {}).get("role")
            if role != "uncertainty":
                raise ValueError(f"uncertainties: {key} has role {role!r}; only uncertainties are sampled")
            if _kind(known[key]) not in ("int", "float") or plausible_range(key) is None:
                raise ValueError(f"uncertainties: {key} has no numeric plausible range")
            if key in self.levers:
                raise ValueError(f"uncertainties: {key} is also a lever")
        for n in self.uncertainties.community_sizes:
            if not 50 <= n <= 50_000:
                raise ValueError(f"uncertainties.community_sizes: {n} is outside 50-50,000 adults")
        return self


def _kind(field) -> str:
    a = field.annotation
    return "int" if a is int else "float" if a is float else "other"


def load(path: str | Path) -> tuple[Optimize, Path]:
    """Read and check an optimize file (a one-line :class:`ScenarioError` on any mistake)."""
    path = Path(path)
    # read_yaml: duplicate keys, deep nesting, size and encoding refused with the file named
    data = read_yaml(path, "optimize")
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: an optimize file is a mapping (scenario, levers, objectives, ...)")
    try:
        cfg = Optimize.model_validate(data)
    except ValidationError as exc:
        msgs = "; ".join(f"{'.'.join(str(x) for x in e['loc']) or 'file'}: "
                         f"{e['msg'].removeprefix('Value error, ')}" for e in exc.errors())
        raise ScenarioError(f"{path}: {msgs}") from None
    return cfg, (path.parent / cfg.scenario).resolve()


def check_replay_manifest(m: dict, where) -> dict:
    """The parts of an optimize manifest a replay needs (its settings and its resolved base
    scenario), checked as an optimize file is: a one-line ScenarioError naming ``where``."""
    settings = m.get("optimize")
    if not isinstance(settings, dict):
        raise ScenarioError(f"{where}: key 'optimize' must hold the search's settings (a mapping)")
    try:
        cfg = Optimize.model_validate(settings)
    except (ValidationError, RecursionError, TypeError, ValueError) as exc:
        msgs = ("; ".join(f"{'.'.join(str(x) for x in e['loc']) or 'optimize'}: "
                          f"{e['msg'].removeprefix('Value error, ')}" for e in exc.errors())
                if isinstance(exc, ValidationError) else str(exc)[:200])
        raise ScenarioError(f"{where}: optimize: {msgs}") from None
    return {"optimize": cfg.model_dump(mode="json"), "base_scenario": m["base_scenario"]}


# ------------------------------------------------------------------------------ the plan
def _fields() -> dict:
    return {p: f for p, f, _ in iter_parameters()}


def draw_samples(cfg: Optimize, base) -> pd.DataFrame:
    """The uncertainty samples (Latin hypercube over the plausible ranges; community sizes in
    rotation) and the seed of each run: one row per sample x replication."""
    from scipy.stats import qmc
    fields = _fields()
    keys = list(cfg.uncertainties.parameters)
    n = cfg.uncertainties.samples
    rows = [{"sample": j} for j in range(n)]
    if keys:
        u = qmc.LatinHypercube(d=len(keys), seed=np.random.default_rng(cfg.seed)).random(n)
        for k, key in enumerate(keys):
            lo, hi = plausible_range(key)
            for j in range(n):
                v = lo + u[j, k] * (hi - lo)
                rows[j][key] = int(round(v)) if _kind(fields[key]) == "int" else float(v)
    sizes = cfg.uncertainties.community_sizes
    for j in range(n):
        rows[j]["population.residents_per_community"] = \
            int(sizes[j % len(sizes)]) if sizes else int(base.population.residents_per_community)
    out = []
    for j, row in enumerate(rows):
        for r in range(cfg.seeds_per_sample):
            out.append({**row, "rep": r, "seed": cfg.seed + j * cfg.seeds_per_sample + r})
    return pd.DataFrame(out)


def _scenario(base_dict: dict, overrides: dict) -> dict:
    return validate(apply_overrides(base_dict, overrides, origin="optimize"), "optimize").model_dump(mode="json")


def _sample_overrides(row: pd.Series) -> dict:
    return {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()
            if k not in ("sample", "rep", "seed")}


def _value(summary: dict, key: str, days: int) -> float:
    """An outcome of a run; spend per community and year."""
    v = float(summary[key])
    if OUTCOMES[key].kind == "yuan" and key.startswith("spend"):
        v = v * 365.0 / days / max(1, int(summary.get("communities", 1)))
    return v


# ------------------------------------------------------------------------------ running
class _Bar:
    """One progress bar over every run of the search (tqdm on stderr, with ETA)."""

    def __init__(self, total: int, enabled: bool):
        self.bar = None
        if enabled and total > 0:
            from tqdm import tqdm
            self.bar = tqdm(total=total, desc="optimize", unit="run", dynamic_ncols=True,
                            disable=None if os.environ.get("CI") is None else True)

    def update(self, _result=None) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def note(self, text: str) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(text, refresh=False)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _run_sets(sets: list[dict], samples: pd.DataFrame, base_dict: dict, outcomes: list[str],
              days: int, workers: int, executor: str, scheduler: str | None,
              bar: _Bar) -> list[dict[str, list[float]]]:
    """Run every lever set on every sample and seed; per set, each outcome's values (in the
    order of ``samples``' rows)."""
    from .parallel import Task, run_many
    tasks = []
    rows = [_sample_overrides(r) for _, r in samples.iterrows()]
    for i, levers in enumerate(sets):
        for k, (row, seed) in enumerate(zip(rows, samples["seed"])):
            sc = _scenario(base_dict, {**row, **levers})
            tasks.append(Task(run_id=len(tasks), scenario=sc, seed=int(seed), days=days,
                              keep_timeseries=False, outcomes=None, labels={"set": i, "row": k}))
    values = [{o: [math.nan] * len(rows) for o in outcomes} for _ in sets]
    for r in run_many(tasks, workers=workers, executor=executor, scheduler=scheduler,
                      progress=False, desc="optimize", on_result=bar.update):
        if not r["ok"]:
            raise ScenarioError(f"a run of the search failed (set {r['labels']['set']}, sample row "
                                f"{r['labels']['row']}): {r['error'].strip().splitlines()[-1]}")
        for o in outcomes:
            values[r["labels"]["set"]][o][r["labels"]["row"]] = _value(r["summary"], o, days)
    return values


def _detail(text: str) -> None:
    from .feedback import detail
    detail(text)


def _suggest(trial, key: str, rng: LeverRange, field):
    if rng.choices is not None:
        return trial.suggest_categorical(key, rng.choices)
    if _kind(field) == "int":
        return trial.suggest_int(key, int(math.ceil(rng.low)), int(math.floor(rng.high)))
    return trial.suggest_float(key, float(rng.low), float(rng.high))


def _constraints(trial) -> list[float]:
    return [float(trial.user_attrs.get("constraint", math.inf))]


def optimize(path: str | Path, out: str | Path | None = None, workers: int = 1,
             executor: str = "local", scheduler: str | None = None, resume: bool = False,
             trials: int | None = None, progress: bool = True, quiet: bool = False) -> Path:
    """Run an optimize file; returns the output folder."""
    import optuna
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend
    from optuna.trial import TrialState

    from .results import manifest_base, write_json_atomic, write_parquet_atomic

    cfg, scenario_path = load(path)
    if trials is not None:
        cfg.trials = trials
    base = load_scenario(scenario_path, dict(cfg.set) or None)
    base_dict = base.model_dump(mode="json")
    fields = _fields()
    for key, rng in cfg.levers.items():  # every range end must be a valid scenario
        ends = rng.choices if rng.choices is not None else [rng.low, rng.high]
        for v in ends:
            v = int(v) if _kind(fields[key]) == "int" and rng.choices is None else v
            _scenario(base_dict, {key: v})
    days = cfg.days or 365 * cfg.years
    out = Path(out) if out else Path("results") / f"optimize_{cfg.name}"
    if out.exists() and any(out.iterdir()) and not resume:
        raise ScenarioError(f"{out} exists and is not empty: pass --resume to continue its search, "
                            "or choose another --out")
    if resume and out.exists() and not (out / "study.log").exists() and any(out.iterdir()):
        raise ScenarioError(f"{out}: no study.log to resume (not an optimize folder)")
    out.mkdir(parents=True, exist_ok=True)
    # a resumed search must be the same search: same file (but for trials) and base scenario
    settings = {"optimize": {**cfg.model_dump(mode="json"), "trials": None}, "base_scenario": base_dict}
    saved = out / "settings.json"
    if saved.exists():
        import json
        if json.loads(saved.read_text(encoding="utf-8")) != json.loads(json.dumps(settings)):
            raise ScenarioError(f"{out} holds a search of other settings (the file or its base "
                                "scenario changed): restore them, or choose another --out")
    else:
        write_json_atomic(saved, settings)
    samples = draw_samples(cfg, base)
    outcomes = list(dict.fromkeys([*cfg.objectives, "spend_total"]))
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, file=sys.stderr))
    _detail(f"optimize: base {scenario_path}, {len(samples)} runs per candidate "
            f"(samples x seeds), seeds {samples['seed'].min()}..{samples['seed'].max()}, "
            f"{days} days, budget {cfg.budget_yuan:,.0f} yuan a year ({cfg.budget_basis})")

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = JournalStorage(JournalFileBackend(str(out / "study.log")))
    directions = [d for d in cfg.objectives.values()]
    # the budget is a constraint: set on each trial (Optuna 5), else through constraints_func
    modern = hasattr(optuna.trial.Trial, "set_constraint")
    sampler = optuna.samplers.NSGAIISampler(population_size=cfg.batch, seed=cfg.seed,
                                            **({} if modern else {"constraints_func": _constraints}))
    study = optuna.create_study(study_name=cfg.name, storage=storage, directions=directions,
                                sampler=sampler, load_if_exists=True)
    # trials asked but never told (a killed run) are closed as failed, then asked anew
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        study.tell(t.number, state=TrialState.FAIL)

    def done() -> int:
        return len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)))

    t0 = time.perf_counter()
    remaining = max(0, cfg.trials - done())
    base_file = out / "base.parquet"
    bar = _Bar(remaining * len(samples) + (0 if base_file.exists() else len(samples)),
               progress)
    try:
        if base_file.exists():
            base_values = pd.read_parquet(base_file)
        else:
            bar.note("base scenario")
            vals = _run_sets([{}], samples, base_dict, outcomes, days, workers, executor,
                             scheduler, bar)[0]
            base_values = pd.concat([samples[["sample", "rep", "seed"]].reset_index(drop=True),
                                     pd.DataFrame(vals)], axis=1)
            write_parquet_atomic(base_file, base_values)
            write_parquet_atomic(out / "samples.parquet", samples)
        base_spend = base_values["spend_total"].to_numpy(float)
        while done() < cfg.trials:
            k = min(cfg.batch, cfg.trials - done())
            asked = [study.ask() for _ in range(k)]
            sets = [{key: _suggest(t, key, rng, fields[key]) for key, rng in cfg.levers.items()}
                    for t in asked]
            bar.note(f"candidates {done() + 1}-{done() + k} of {cfg.trials}")
            t1 = time.perf_counter()
            values = _run_sets(sets, samples, base_dict, outcomes, days, workers, executor,
                               scheduler, bar)
            for trial, vals in zip(asked, values):
                spend = np.asarray(vals["spend_total"], float)
                extra = spend - base_spend
                counted = extra if cfg.budget_basis == "extra" else spend
                trial.set_user_attr("runs", {o: list(map(float, v)) for o, v in vals.items()})
                trial.set_user_attr("extra_spend", float(extra.mean()))
                trial.set_user_attr("constraint", float(counted.mean() - cfg.budget_yuan))
                if modern:
                    trial.set_constraint("budget", float(counted.mean() - cfg.budget_yuan))
                # a share with no cases in a run (no dispute in a small community) is left out
                means = [float(np.nanmean(vals[o])) if np.isfinite(vals[o]).any() else math.nan
                         for o in cfg.objectives]
                undefined = [o for o, m in zip(cfg.objectives, means) if not math.isfinite(m)]
                if undefined:
                    study.tell(trial, state=TrialState.FAIL)
                    raise ScenarioError(
                        f"{path}: objective {undefined[0]} is undefined in every run of a candidate "
                        "(no case to count: a larger community or more days is needed)")
                study.tell(trial, means)
            _detail(f"optimize: {k} candidates in {time.perf_counter() - t1:.1f} s")
        bar.close()
    finally:
        bar.close()
    tables = summarize(cfg, study, samples)
    seconds = time.perf_counter() - t0
    trials_df, pareto = tables["trials"], tables["pareto"]
    write_parquet_atomic(out / "trials.parquet", trials_df, csv=True)
    write_parquet_atomic(out / "pareto.parquet", pareto, csv=True)
    write_portfolios(out, cfg, scenario_path, pareto)
    draw_figures(out, cfg, trials_df, pareto)
    write_json_atomic(out / "manifest.json", {
        **manifest_base("optimize"),
        "optimize_file": str(Path(path)), "optimize": cfg.model_dump(mode="json"),
        "scenario_file": str(scenario_path), "base_scenario": base_dict,
        "days": days, "runs_per_candidate": int(len(samples)),
        "trials_completed": int(len(trials_df)), "pareto_size": int(len(pareto)),
        "sampler": "optuna NSGAIISampler", "seconds": round(seconds, 1), "workers": workers})
    if not quiet:
        print(pareto_text(cfg, pareto))
        say(f"wrote {out}/ (pareto.csv, trials.csv, portfolios/, pareto_coordinates.png, "
            f"tradeoffs.png, manifest.json) in {seconds:.0f} s")
    return out


def replay_file(manifest: dict, folder: Path) -> Path:
    """An optimize file in ``folder`` that repeats the search a manifest records: its base
    scenario as resolved then (the file it named may have changed since) and its settings."""
    base = folder / "base.yaml"
    base.write_text(yaml.safe_dump(manifest["base_scenario"], sort_keys=False, allow_unicode=True),
                    encoding="utf-8")
    cfg = {**manifest["optimize"], "scenario": base.name, "set": {}}  # the set is in the base
    f = folder / "optimize.yaml"
    f.write_text(yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return f


# ---------------------------------------------------------------------------- the tables
def _ci(v: np.ndarray) -> tuple[float, float, float]:
    from .compare import paired_ci
    v = v[np.isfinite(v)]
    return paired_ci(v) if v.size else (math.nan, math.nan, math.nan)


def pareto_mask(values: np.ndarray, directions: list[str]) -> np.ndarray:
    """Rows of ``values`` (candidates x objectives) that no other row dominates."""
    sign = np.array([1.0 if d == "maximize" else -1.0 for d in directions])
    v = np.where(np.isfinite(values), values * sign, -np.inf)
    keep = np.ones(len(v), bool)
    for i in range(len(v)):
        better_eq = (v >= v[i]).all(axis=1)
        strictly = (v > v[i]).any(axis=1)
        if (better_eq & strictly).any():
            keep[i] = False
    return keep


def summarize(cfg: Optimize, study, samples: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Every completed candidate, and the Pareto set of the feasible ones with intervals,
    the worse decile over the samples and the regret."""
    import warnings
    with warnings.catch_warnings():  # a share with no case in a sample is NaN there, and left out
        warnings.simplefilter("ignore", RuntimeWarning)
        return _summarize(cfg, study, samples)


def _summarize(cfg: Optimize, study, samples: pd.DataFrame) -> dict[str, pd.DataFrame]:
    from optuna.trial import TrialState
    done = [t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))]
    objs = list(cfg.objectives)
    rows = []
    for t in sorted(done, key=lambda t: t.number):
        row = {"trial": t.number, **{k: t.params.get(k) for k in cfg.levers}}
        row.update({o: float(v) for o, v in zip(objs, t.values)})
        row["extra_spend_yuan"] = t.user_attrs["extra_spend"]
        row["budget_margin_yuan"] = -t.user_attrs["constraint"]
        row["feasible"] = t.user_attrs["constraint"] <= 0
        rows.append(row)
    trials = pd.DataFrame(rows)
    if trials.empty:
        return {"trials": trials, "pareto": pd.DataFrame()}
    feas = trials[trials["feasible"]]
    mask = pareto_mask(feas[objs].to_numpy(float), [cfg.objectives[o] for o in objs]) \
        if len(feas) else np.zeros(0, bool)
    pareto_trials = set(feas.loc[mask, "trial"]) if len(feas) else set()
    trials["pareto"] = trials["trial"].isin(pareto_trials)
    # per sample: each feasible candidate's mean over the sample's seeds
    by_number = {t.number: t for t in done}
    groups = samples["sample"].to_numpy()
    n_samples = int(groups.max()) + 1

    def per_sample(number: int, o: str) -> np.ndarray:
        v = np.asarray(by_number[number].user_attrs["runs"][o], float)
        return np.array([np.nanmean(v[groups == j]) for j in range(n_samples)])

    best = {}
    for o in objs:
        m = np.vstack([per_sample(n, o) for n in feas["trial"]]) if len(feas) else np.zeros((0, n_samples))
        best[o] = (np.nanmax(m, axis=0) if cfg.objectives[o] == "maximize" else np.nanmin(m, axis=0)) \
            if len(m) else np.full(n_samples, np.nan)
    out = []
    ordered = trials[trials["pareto"]].sort_values(objs[0], ascending=cfg.objectives[objs[0]] == "minimize")
    for i, r in enumerate(ordered.to_dict("records")):
        row = {"portfolio": f"P{i + 1:02d}", "trial": r["trial"], **{k: r[k] for k in cfg.levers}}
        runs = by_number[r["trial"]].user_attrs["runs"]
        for o in objs:
            v = np.asarray(runs[o], float)
            m, lo, hi = _ci(v)
            if OUTCOMES[o].kind == "share":  # a share's interval stays within 0-100%
                lo, hi = max(lo, 0.0), min(hi, 1.0)
            ps = per_sample(r["trial"], o)
            maximize = cfg.objectives[o] == "maximize"
            regret = (best[o] - ps) if maximize else (ps - best[o])
            row.update({f"{o}_mean": m, f"{o}_ci_low": lo, f"{o}_ci_high": hi,
                        f"{o}_worst_decile": float(np.nanpercentile(ps, 10 if maximize else 90)),
                        f"{o}_regret_max": float(np.nanmax(regret)),
                        f"{o}_regret_mean": float(np.nanmean(regret))})
        row["extra_spend_yuan"] = r["extra_spend_yuan"]
        row["budget_margin_yuan"] = r["budget_margin_yuan"]
        out.append(row)
    return {"trials": trials, "pareto": pd.DataFrame(out)}


def pareto_text(cfg: Optimize, pareto: pd.DataFrame) -> str:
    if pareto.empty:
        return "no feasible portfolio: every candidate spent more than the budget"
    lines = [f"Pareto set: {len(pareto)} portfolios within {cfg.budget_yuan:,.0f} yuan a year "
             f"({cfg.budget_basis}); mean [95% CI] over samples and seeds, worse decile"]
    for r in pareto.to_dict("records"):
        lines.append(f"  {r['portfolio']}  extra spend {r['extra_spend_yuan']:,.0f} yuan/year")
        lines.append("      " + ", ".join(f"{k.split('.')[-1]}={_show(r[k])}" for k in cfg.levers))
        for o in cfg.objectives:
            f = OUTCOMES[o].format
            lines.append(f"      {OUTCOMES[o].label[:36]:<36} {f(r[f'{o}_mean']):>10} "
                         f"[{f(r[f'{o}_ci_low'])}, {f(r[f'{o}_ci_high'])}]  "
                         f"worse decile {f(r[f'{o}_worst_decile'])}")
    return "\n".join(lines)


def _show(v) -> str:
    if isinstance(v, float):
        return f"{v:.3g}"
    return str(v)


def _plain(v):
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v


def write_portfolios(out: Path, cfg: Optimize, scenario_path: Path, pareto: pd.DataFrame) -> list[Path]:
    """portfolios/Pnn.yaml: the base scenario (``extends``, by a path relative to the file)
    with the file's ``set`` and the portfolio's lever values."""
    folder = out / "portfolios"
    folder.mkdir(exist_ok=True)
    for old in folder.glob("P*.yaml"):
        old.unlink()
    written = []
    rel = os.path.relpath(scenario_path, folder.resolve())
    for r in pareto.to_dict("records"):
        sections: dict = {}
        for key, value in {**cfg.set, **{k: _plain(r[k]) for k in cfg.levers}}.items():
            sec, name = key.split(".", 1)
            sections.setdefault(sec, {})[name] = value
        head = [f"# {r['portfolio']} of `cogov optimize` {cfg.name}: budget "
                f"{cfg.budget_yuan:,.0f} yuan a year ({cfg.budget_basis}), extra spend "
                f"{r['extra_spend_yuan']:,.0f} yuan a year"]
        for o in cfg.objectives:
            f = OUTCOMES[o].format
            head.append(f"# {OUTCOMES[o].label}: {f(r[f'{o}_mean'])} "
                        f"[{f(r[f'{o}_ci_low'])}, {f(r[f'{o}_ci_high'])}]")
        meta = {"meta": {"name": f"{cfg.name}_{r['portfolio']}",
                         "description": f"Pareto portfolio {r['portfolio']} of cogov optimize {cfg.name}"}}
        text = "\n".join(head) + "\n" + yaml.safe_dump({"extends": rel, **meta, **sections},
                                                       sort_keys=False, allow_unicode=True)
        path = folder / f"{r['portfolio']}.yaml"
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        written.append(path)
    return written


# --------------------------------------------------------------------------- the figures
def _short(key: str, width: int = 16) -> str:
    from .figures import outcome_axis, wrap
    if key in OUTCOMES:
        if key.startswith("spend"):  # read per community and year (module docstring)
            return wrap(f"{OUTCOMES[key].label.removesuffix(' (yuan)')} a year (yuan)", width)
        return wrap(outcome_axis(key), width)
    field = _fields().get(key)
    unit = (field.json_schema_extra or {}).get("unit", "") if field is not None else ""
    name = key.split(".")[-1].replace("_", " ")
    unit = "" if unit in ("switch", "rule", "text", "format") else unit
    return wrap(f"{name} ({unit})" if unit else name, width)


def _numeric(series: pd.Series) -> tuple[np.ndarray, list[str] | None]:
    """A column as numbers, and the category names if it was not numeric."""
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        cats = sorted(series.astype(str).unique())
        return series.astype(str).map({c: i for i, c in enumerate(cats)}).to_numpy(float), cats
    return series.to_numpy(float), None


def draw_figures(out: Path, cfg: Optimize, trials: pd.DataFrame, pareto: pd.DataFrame) -> list[Path]:
    """pareto_coordinates (parallel coordinates of levers and objectives) and tradeoffs
    (each objective against the spend a year the budget counts: all candidates, the Pareto
    set highlighted, the budget marked)."""
    from .figures import pyplot, save_figure
    if trials.empty:
        return []
    plt = pyplot()
    written = []
    objs = list(cfg.objectives)
    cols = [*cfg.levers, *objs]
    width = min(13.0, max(7.0, 0.95 * len(cols) + 1.5))
    fig, ax = plt.subplots(figsize=(width, 5.4), layout="constrained")
    scaled = {}
    for k in cols:
        v, cats = _numeric(trials[k])
        if k in objs:
            v = OUTCOMES[k].scale(v)
        if k in cfg.levers and cfg.levers[k].choices is None:
            lo, hi = cfg.levers[k].low, cfg.levers[k].high
        else:
            lo, hi = (np.nanmin(v), np.nanmax(v)) if np.isfinite(v).any() else (0.0, 1.0)
        if cats is not None:
            lo, hi = 0.0, max(1.0, len(cats) - 1.0)
        span = (hi - lo) or 1.0
        scaled[k] = ((v - lo) / span, lo, hi, cats)
    x = np.arange(len(cols))
    feas = trials["feasible"].to_numpy(bool)
    par = trials["pareto"].to_numpy(bool)
    for i in np.flatnonzero(feas & ~par):
        ax.plot(x, [scaled[k][0][i] for k in cols], color="0.8", lw=0.7, zorder=1)
    colors = plt.cm.viridis(np.linspace(0, 0.9, max(1, int(par.sum()))))
    names = dict(zip(pareto["trial"], pareto["portfolio"])) if not pareto.empty else {}
    for c, i in zip(colors, np.flatnonzero(par)):
        ax.plot(x, [scaled[k][0][i] for k in cols], color=c, lw=1.8, marker="o", ms=3, zorder=3,
                label=names.get(int(trials["trial"].iloc[i])))
    for xi, k in enumerate(cols):
        ax.axvline(xi, color="0.3", lw=0.8, zorder=2)
        _, lo, hi, cats = scaled[k]
        fmt = (lambda v: cats[int(round(v))]) if cats is not None else _tick
        ax.annotate(fmt(lo), (xi, 0), xytext=(0, -4), textcoords="offset points", ha="center",
                    va="top", fontsize=7)
        ax.annotate(fmt(hi), (xi, 1), xytext=(0, 4), textcoords="offset points", ha="center",
                    va="bottom", fontsize=7)
    chars = max(8, int((width - 1.5) / len(cols) * 72 / 4.2))  # characters of 7 pt per axis
    ax.set_xticks(x, [_short(k, chars) + ("\n(objective)" if k in objs else "") for k in cols],
                  fontsize=7 if chars >= 12 else 6)
    ax.set_xlim(-0.5, len(cols) - 0.5)
    ax.set_ylim(-0.12, 1.12)
    ax.set_yticks([])
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    if 0 < par.sum() <= 20:
        handles, labels = ax.get_legend_handles_labels()
        order = np.argsort(labels)
        fig.legend([handles[i] for i in order], [labels[i] for i in order], loc="outside right upper",
                   fontsize=7, frameon=False, title="portfolio", title_fontsize=7)
    ax.set_title(f"{cfg.name}: {int(par.sum())} Pareto portfolios (colour) among "
                 f"{int(feas.sum())} feasible candidates (grey);\neach axis from its lowest to "
                 "highest value (levers: the searched range)", fontsize=9)
    written += save_figure(fig, out / "pareto_coordinates")
    plt.close(fig)

    # what the money buys: each objective against the extra spend a year, the budget marked
    shown = [o for o in objs if not o.startswith("spend")] or objs
    n = len(shown)
    c = min(3, n)
    r = math.ceil(n / c)
    fig, axes = plt.subplots(r, c, figsize=(3.9 * c, 3.3 * r + 0.7), squeeze=False, layout="constrained")
    xs = trials["extra_spend_yuan" if cfg.budget_basis == "extra" else "spend_total"].to_numpy(float)
    xlabel = "extra spend a year (yuan)" if cfg.budget_basis == "extra" else "spend a year (yuan)"
    for ax, o in zip(axes.flat, shown):
        y = OUTCOMES[o].scale(trials[o].to_numpy(float))
        ax.scatter(xs[~feas], y[~feas], marker="x", s=12, color="#c44e52", alpha=0.6,
                   label="over budget")
        ax.scatter(xs[feas & ~par], y[feas & ~par], s=10, color="0.65", label="within budget")
        ax.scatter(xs[par], y[par], s=24, color="C0", zorder=3, label="Pareto set")
        ax.axvline(cfg.budget_yuan, color="0.3", ls="--", lw=0.9, label="budget")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(_short(o, 30))
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_formatter(plt.FuncFormatter(lambda v, _: _tick(v)))
        ax.tick_params(axis="x", labelrotation=30)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=4, frameon=False, fontsize=8)
    fig.suptitle(f"{cfg.name}: each objective against the money (means over samples and seeds)",
                 fontsize=10)
    written += save_figure(fig, out / "tradeoffs")
    plt.close(fig)
    return written


def _tick(v: float) -> str:
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.4g}"
