"""The page's "replications" button: the paired comparison of ``cogov compare`` for the two
sides on the page, in a background process.

The work runs in a *spawned* process (the server's threads are never forked), one
replication at a time through :func:`sim.study.compare.run_pairs`, so the page can show progress
and Cancel terminates the process. Replication ``i`` of both sides uses seed ``root + i``
(:func:`sim.study.compare.rep_seeds`), with the page's seed as the root: replication 0 is the run
on the page. The statistics and the forest plot are :func:`sim.study.compare.paired_effects` and
:func:`sim.study.compare.plot_forest`, with B as the base, so every difference is A - B as on the page.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import shutil
import tempfile
import time
from html import escape
from pathlib import Path

MAX_REPS = 20
MIN_REPS = 2


def _write_json(path: Path, data) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data))
    os.replace(tmp, path)  # the page never reads half a file


def work(names: list[str], scenarios: list[dict], seeds: list[int], folder: str,
         lang: str = "en") -> None:
    """The background process: run the pairs, then write effects.json and effects.png (its
    words in the page's language)."""
    import pandas as pd

    from ..study.compare import paired_effects, plot_forest, run_pairs
    from ..params import Scenario

    out = Path(folder)
    try:
        models = [Scenario.model_validate(d) for d in scenarios]
        frames = []
        for i, seed in enumerate(seeds):
            runs, _, failures = run_pairs(names, models, [seed], progress=False)
            if failures:
                _write_json(out / "failed.json", {"error": failures[0]["error"]})
                return
            runs["rep"] = i
            frames.append(runs)
            _write_json(out / "progress.json", {"done": i + 1, "total": len(seeds)})
        effects = paired_effects(pd.concat(frames, ignore_index=True), names)
        from .assets import use_font_in_matplotlib
        use_font_in_matplotlib()  # Chinese in labels (诉讼, 调解矛盾不过夜) drawn, not boxes
        from . import i18n
        plot_forest(effects, names, out / "effects.png", dpi=100, words=i18n.forest_words(lang))
        effects.to_json(out / "effects.tmp", orient="records")
        os.replace(out / "effects.tmp", out / "effects.json")
    except Exception as exc:  # reported on the page; the server goes on
        _write_json(out / "failed.json", {"error": f"{type(exc).__name__}: {exc}"})


class Replications:
    """One background comparison: start, poll, cancel; its files live in a temporary folder
    that is removed when the job is cancelled, replaced or its session closes."""

    def __init__(self, scenario_a, scenario_b, names: tuple[str, str], seed: int, reps: int,
                 days: int, lang: str = "en"):
        from ..study.compare import rep_seeds
        if not MIN_REPS <= reps <= MAX_REPS:
            raise ValueError(f"replications: between {MIN_REPS} and {MAX_REPS}, got {reps}")
        self.names = [f"B: {names[1]}", f"A: {names[0]}"]  # base first: differences are A - B
        self.reps, self.days = reps, days
        data = []
        for sc in (scenario_b, scenario_a):
            sc = sc.model_copy(deep=True)
            sc.run.days = days
            data.append(sc.model_dump(mode="json"))
        self.folder = Path(tempfile.mkdtemp(prefix="cogov-app-replications-"))
        self.started = time.monotonic()
        self.finished: float | None = None
        ctx = multiprocessing.get_context("spawn")  # no fork of the server's threads
        self.process = ctx.Process(target=work, daemon=True,
                                   args=(self.names, data, rep_seeds(seed, reps), str(self.folder),
                                         lang))
        self.process.start()

    def state(self) -> str:
        """'running', 'done', 'failed' or 'cancelled'."""
        if self.folder is None:
            return "cancelled"
        if (self.folder / "effects.json").exists():
            self._finish()
            return "done"
        if (self.folder / "failed.json").exists():
            self._finish()
            return "failed"
        if not self.process.is_alive():
            self._finish()
            return "done" if (self.folder / "effects.json").exists() else "failed"
        return "running"

    def _finish(self):
        if self.finished is None:
            self.process.join(5)
            self.finished = time.monotonic()

    def seconds(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    def progress(self) -> tuple[int, int]:
        try:
            p = json.loads((self.folder / "progress.json").read_text())
            return p["done"], p["total"]
        except (OSError, ValueError, TypeError):
            return 0, self.reps

    def error(self) -> str:
        try:
            return json.loads((self.folder / "failed.json").read_text())["error"]
        except (OSError, ValueError, TypeError):
            return f"the background process stopped (exit code {self.process.exitcode})"

    def effects(self) -> list[dict]:
        return json.loads((self.folder / "effects.json").read_text())

    def figure(self) -> bytes:
        return (self.folder / "effects.png").read_bytes()

    def cancel(self) -> None:
        """Stop the process (if running) and remove the files."""
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(10)
            if self.process.is_alive():
                self.process.kill()
                self.process.join(5)
        self._finish()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def table_html(effects: list[dict], names: list[str], reps: int, lang: str = "en") -> str:
    """The intervals table of ``cogov compare`` (labels from sim.catalog) as HTML, in the
    page's language (the numbers as compare prints them, their words translated)."""
    from ..study.compare import (COST, COST_DISPUTE, PARTICIPANTS, _level, cost_text,
                                 format_effect, key_outcomes)
    from ..catalog import POOLED_SHARES
    from . import i18n

    def catalog_label(key):
        return i18n.outcome_label(key, lang)

    def words(text: str) -> str:
        """compare's words (n/a and why, pp, yuan) in the page's language."""
        if lang == "en":
            return text
        for key in ("cost_no_extra", "cost_zero", "cost_na"):
            if text == i18n.TEXT[key][0]:
                return i18n.t(key, lang)
        return text.replace(" pp", " " + i18n.t("pts", lang)).replace(" yuan", " 元")

    rows = {r["outcome"]: {k: (math.nan if v is None else v) for k, v in r.items()}
            for r in effects}
    shown = [(k, catalog_label(k), kind) for k, _, kind in key_outcomes() if k in rows]
    if PARTICIPANTS in rows:
        shown.append((PARTICIPANTS, catalog_label(PARTICIPANTS), "count"))
    # dispute shares pooled over the replications (cases summed), with the cases behind them
    shown += [(k, i18n.t("reps_cases", lang, label=_pooled_label(k, lang), b=rows[k]["base_cases"],
                         a=rows[k]["alt_cases"]), "pct")
              for k in POOLED_SHARES if k in rows]
    diffs = [rows[k][c] for k, _, _ in shown for c in ("diff", "ci_low", "ci_high")
             if not math.isnan(rows[k][c])]
    zero = bool(diffs) and all(d == 0 for d in diffs)
    body = []
    for key, label, kind in shown:
        r = rows[key]
        body.append(f'<tr data-outcome="{key}"><td>{escape(label)}</td>'
                    f'<td>{words(_level(r["base_mean"], kind))}</td>'
                    f'<td>{words(_level(r["alt_mean"], kind))}</td>'
                    f'<td class="effect">{escape(words(format_effect(r, kind)))}</td></tr>')
    # the cost ratios with their paired bootstrap intervals, or why there is none (ODD 7.13)
    if COST in rows:
        body.append(f'<tr data-outcome="{COST}"><td>{escape(_cost_label(COST, lang))}</td>'
                    '<td></td><td></td><td>'
                    + escape(words(cost_text(rows[COST], rows.get(PARTICIPANTS)))) + "</td></tr>")
    if COST_DISPUTE in rows:
        body.append(f'<tr data-outcome="{COST_DISPUTE}"><td>{escape(_cost_label(COST_DISPUTE, lang))}'
                    '</td><td></td><td></td><td>'
                    + escape(words(cost_text(rows[COST_DISPUTE], rows.get("disputes_resolved"))))
                    + "</td></tr>")
    head = (f"<tr><th>{escape(i18n.t('reps_outcome', lang))}</th><th>{escape(names[0])}</th>"
            f"<th>{escape(names[1])}</th><th>{escape(i18n.t('reps_effect', lang))}</th></tr>")
    return (f'<table class="cogov-reps-table" data-all-zero="{str(zero).lower()}" data-reps="{reps}">'
            f"{head}{''.join(body)}</table>")


def _pooled_label(key: str, lang: str) -> str:
    """A pooled share's row: the per-run share's label (its Chinese one in 中文)."""
    from ..catalog import label
    from . import i18n
    return i18n.outcome_label(key.removesuffix("_pooled"), lang) if lang == "zh" else label(key)


def _cost_label(key: str, lang: str) -> str:
    from . import i18n
    return {"cost_per_additional_participant": "cost per additional participant (a year)",
            "cost_per_additional_dispute_resolved": "cost per extra dispute resolved"}[key] \
        if lang == "en" else i18n.outcome_label(key, lang)
