"""Feedback on the command line: -q/-v on every subcommand, -v adds real detail (per-run seeds
and timings, resolved settings), progress bars with an ETA on long commands, and refusals as
one 'error:' line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pytest
import yaml

from sim import cli

ROOT = Path(__file__).resolve().parent.parent
BASELINE = str(ROOT / "scenarios" / "baseline.yaml")
TINY = ["--set", "population.residents_per_community=300", "--set", "run.spin_up_days=0"]


def main(argv):
    from sim.cli import common
    from sim.study import feedback
    try:
        return cli.main(argv)
    except SystemExit as exc:  # a usage mistake: argparse's one 'error:' line and exit code 2
        return exc.code
    finally:
        common.VERBOSITY = feedback.VERBOSITY = 0


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def test_every_subcommand_takes_q_and_v():
    commands = subcommands()
    assert {"run", "compare", "sweep", "report", "replay", "params", "calibrate", "validate",
            "optimize", "app"} <= set(commands)
    for name, p in commands.items():
        options = {s for a in p._actions for s in a.option_strings}
        assert {"-q", "--quiet", "-v", "--verbose"} <= options, name


@pytest.mark.parametrize("name", ["calibrate", "validate", "replay", "sweep", "compare", "optimize"])
def test_long_commands_can_turn_their_progress_bar_off(name):
    p = subcommands()[name]
    assert "--no-progress" in {s for a in p._actions for s in a.option_strings}


def test_v_prints_the_seed_settings_and_time_of_a_run(tmp_path, capsys):
    assert main(["run", BASELINE, "--days", "3", "--seed", "5", *TINY, "--out",
                 str(tmp_path / "r"), "-v"]) == 0
    err = capsys.readouterr().err
    assert "seed 5" in err and "spin-up of 0 days" in err
    assert any(line.startswith("run: ") and line.endswith(" s") for line in err.splitlines())


def test_q_prints_nothing(tmp_path, capsys):
    assert main(["run", BASELINE, "--days", "3", *TINY, "--out", str(tmp_path / "r"), "-q"]) == 0
    out, err = capsys.readouterr()
    assert out == "" and err == ""


def test_v_lists_every_run_of_a_comparison_with_its_seed_and_time(tmp_path, capsys):
    rc = main(["compare", BASELINE, BASELINE, "--reps", "2", "--seed", "7", "--days", "3", *TINY,
               "--out", str(tmp_path / "c"), "--no-figures", "-v"])
    assert rc == 0
    err = capsys.readouterr().err
    runs = [ln for ln in err.splitlines() if ln.strip().startswith("compare: run ")]
    assert len(runs) == 4
    assert {ln.split(" seed ")[1].split()[0] for ln in runs} == {"7", "8"}
    assert all(ln.rstrip().endswith(" s") for ln in runs)


class _TTY:
    """stderr that says it is a terminal (tqdm draws its bar only there)."""

    def __init__(self):
        import io
        self.buffer = io.StringIO()

    def write(self, s):
        return self.buffer.write(s)

    def flush(self):
        pass

    def isatty(self):
        return True


def test_calibrate_shows_progress_with_an_eta(tmp_path, monkeypatch):
    from test_calibrate import QUICK
    monkeypatch.delenv("CI", raising=False)
    path = tmp_path / "cal.yaml"
    path.write_text(yaml.safe_dump({**QUICK, "trials": 2, "batch": 2}))
    tty = _TTY()
    monkeypatch.setattr(sys, "stderr", tty)
    assert main(["calibrate", str(path), "--out", str(tmp_path / "o")]) == 0
    text = tty.buffer.getvalue()
    assert "calibrate:" in text
    assert "run/s" in text or "s/run" in text
    assert "<" in text  # tqdm's elapsed<remaining: the ETA
    assert "4/4" in text  # 2 trials x 1 replication + 2 check runs


# ------------------------------------------------------------------------------ refusals
def _one_line_error(capsys, rc, *words):
    err = capsys.readouterr().err
    assert rc == 2, err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    for w in words:
        assert w in err, err


def test_calibrate_trials_0_is_refused_and_leaves_nothing(tmp_path, capsys):
    from test_calibrate import QUICK
    path = tmp_path / "cal.yaml"
    path.write_text(yaml.safe_dump(QUICK))
    rc = main(["calibrate", str(path), "--out", str(tmp_path / "o"), "--trials", "0"])
    _one_line_error(capsys, rc, "--trials")
    assert not (tmp_path / "o").exists()


def test_validate_refuses_a_horizon_too_short_for_its_slopes(tmp_path, capsys):
    rc = main(["validate", "--years", "1", "--out", str(tmp_path / "v")])
    _one_line_error(capsys, rc, "--years", "at least 4 years")
    assert not (tmp_path / "v").exists()


def test_validate_render_only_on_an_empty_folder(tmp_path, capsys):
    rc = main(["validate", "--render-only", "--out", str(tmp_path)])
    _one_line_error(capsys, rc, "--render-only", "VALIDATION.md", "cogov validate --out")


def test_validate_takes_q(capsys):
    rc = main(["validate", "--years", "1", "-q"])
    assert rc == 2  # parsed (-q accepted), then refused


def test_replay_takes_workers(tmp_path, capsys):
    assert main(["run", BASELINE, "--days", "3", *TINY, "--out", str(tmp_path / "r"), "-q"]) == 0
    assert main(["replay", str(tmp_path / "r"), "--workers", "2", "-q"]) == 0
    assert "identical" in capsys.readouterr().out


def test_replay_of_something_else_is_a_one_line_error(tmp_path, capsys):
    (tmp_path / "manifest.json").write_text('{"command": "params"}')
    rc = main(["replay", str(tmp_path)])
    _one_line_error(capsys, rc, "not a manifest of cogov run, compare, sweep or optimize")
