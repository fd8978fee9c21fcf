"""The README's walkthrough runs as written.

Every command in the README's shell code blocks (lines starting with `.venv/bin/cogov`,
`cogov` or `make`, backslash continuations joined, comments dropped), plus the inline
`cogov --version` and `cogov replay results/my_run`, runs in order in a fresh copy of the
files a clone has (scenarios/, experiments/, results/README.md) with this checkout's .venv,
and must exit 0. A command that is wrong in the README (a flag, a path, a file name)
fails the test. How sizes are cut, and which commands run in a dry form:

- `cogov run`, `compare` and `sweep`: as written, with `--set
  population.residents_per_community=300 --set run.spin_up_days=30` appended (the README
  shows `--set KEY=VALUE` for each of them); days, seeds, replications and workers as written.
- `cogov calibrate` (about 10 minutes), `cogov optimize` (about 10 minutes) and `cogov
  validate` (about an hour): `--help`, and every path the command names must exist.
- a sweep with `--scheduler` (a cluster that is not here): `--dry-run`, which checks the
  experiment and the flags and connects to nothing.
- `make run|test|app`: `make -n TARGET` (the target exists and says what it runs).

The files the README says `cogov report results/gxd` writes (the comment lines under it)
must exist afterwards.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COGOV = ROOT / ".venv" / "bin" / "cogov"
SMALL = ["--set", "population.residents_per_community=300", "--set", "run.spin_up_days=30"]
INLINE = ("cogov --version", "cogov replay results/my_run")


def readme_commands() -> tuple[list[str], list[str]]:
    """(commands of the shell code blocks, in order; paths the comment lines name)."""
    text = (ROOT / "README.md").read_text()
    commands, named = [], []
    for lang, block in re.findall(r"```(\w*)\n(.*?)```", text, re.S):
        if lang not in ("", "sh", "bash"):
            continue
        joined = block.replace("\\\n", " ")
        for line in joined.splitlines():
            line = line.strip()
            if line.startswith("#"):
                named += re.findall(r"results/\S+\.(?:png|csv)", line)
                continue
            line = re.sub(r"\s+#.*$", "", line)
            if line.startswith((".venv/bin/cogov", "cogov ", "make ")):
                commands.append(re.sub(r"\s+", " ", line))
    return commands, named


def _checked_form(cmd: str) -> list[str]:
    args = cmd.split()
    if args[0] == "make":
        return ["make", "-n", *args[1:]]
    args[0] = str(COGOV)
    sub = args[1]
    if sub in ("calibrate", "validate", "optimize"):
        return args[:2] + ["--help"]
    if sub == "sweep" and "--scheduler" in args:
        return args + ["--dry-run"]
    if sub in ("run", "compare", "sweep"):
        return args + SMALL
    return args


def test_readme_shows_the_walkthrough():
    commands, named = readme_commands()
    subs = {c.split()[1] for c in commands}
    assert {"run", "compare", "sweep", "report", "calibrate", "validate"} <= subs, subs
    assert any(c.startswith("make run") for c in commands)
    assert named and all(i in (ROOT / "README.md").read_text() for i in INLINE)


@pytest.mark.slow
def test_every_command_the_readme_shows_runs(tmp_path):
    clone = tmp_path / "clone"
    clone.mkdir()
    for d in ("scenarios", "experiments"):
        shutil.copytree(ROOT / d, clone / d)
    (clone / "results").mkdir()
    shutil.copy(ROOT / "results" / "README.md", clone / "results" / "README.md")
    (clone / ".venv").symlink_to(ROOT / ".venv")
    commands, named = readme_commands()
    # the inline replay follows the run it replays
    order = []
    for c in commands:
        order.append(c)
        if c.startswith(".venv/bin/cogov run "):
            order += list(INLINE)
    for cmd in order:
        args = _checked_form(cmd)
        for a in args[2:]:  # every file the command names is in a clone
            if re.match(r"(scenarios|experiments)/", a):
                assert (clone / a).exists(), (cmd, a)
        cwd = ROOT if args[0] == "make" else clone
        r = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, f"{cmd}\n-> {' '.join(args)}\n{r.stdout[-2000:]}\n{r.stderr[-3000:]}"
        if cmd.startswith("cogov replay"):
            assert "identical" in r.stdout + r.stderr, r.stdout
    for path in named:
        assert (clone / path).exists(), f"README names {path}, cogov report did not write it"
