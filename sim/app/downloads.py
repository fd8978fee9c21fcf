"""The files a visitor downloads: the ones ``cogov run`` writes, for the state reached.

The scenario is the resolved one with ``run.days`` set to the day reached, so that
``cogov run scenario.yaml --seed S`` (or the manifest) reproduces the summary.
"""

from __future__ import annotations

import yaml

from ..study.results import json_text, parquet_bytes, run_canonical, run_manifest
from .session import UPLOAD, Session


def scenario_at_day(session: Session):
    data = session.scenario.model_dump()
    data["run"]["days"] = max(1, session.day)
    return type(session.scenario).model_validate(data)


def downloads(session: Session) -> dict:
    """{file name: function giving its bytes} (made only when the visitor clicks; each reads
    the session's state at that moment)."""

    def scenario_yaml():
        with session.lock:
            return yaml.safe_dump(scenario_at_day(session).model_dump(mode="json"),
                                  sort_keys=False, allow_unicode=True).encode()

    def timeseries_parquet():
        with session.lock:
            return parquet_bytes(session.model.timeseries())

    def timeseries_csv():
        with session.lock:
            return session.model.timeseries().to_csv(index=False).encode()

    def summary_json():
        with session.lock:
            return json_text(session.summary()).encode()

    def manifest_json():
        with session.lock:
            setup = session.setup
            days = max(1, session.day)
            if setup.scenario == UPLOAD:
                # the upload is downloaded beside the results (uploaded.yaml, as typed) and
                # resolved (scenario.yaml, changes and the day reached included): the
                # command reruns the resolved file, which needs nothing else
                source, overrides = "scenario.yaml", []
            else:
                source, overrides = f"scenarios/{setup.scenario}.yaml", setup.set_args()
            line = run_canonical(source, setup.seed, days, overrides)
            manifest = run_manifest(scenario_at_day(session), source, overrides, setup.seed, line)
            manifest["app_day"] = session.day
            if setup.scenario == UPLOAD:
                manifest["uploaded_file"] = "uploaded.yaml"
                manifest["uploaded_overrides"] = setup.set_args()
            return json_text(manifest).encode()

    files = {"scenario.yaml": scenario_yaml, "timeseries.parquet": timeseries_parquet,
             "timeseries.csv": timeseries_csv, "summary.json": summary_json,
             "manifest.json": manifest_json}
    if session.setup.scenario == UPLOAD:
        upload = session.setup.upload or ""
        files["uploaded.yaml"] = lambda: upload.encode("utf-8")
    return files
