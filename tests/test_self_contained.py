"""The repository stands alone: no tracked file points outside the checkout (a sibling
folder of the machine it was written on) or at a machine's absolute path. Documents the
user keeps elsewhere are reached through settings (``COGOV_SOURCES``)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# written split so that this file does not match itself
FORBIDDEN = ("../" + "shared", "/" + "work/", "/" + "root/", "/" + "home/")


def tracked_files() -> list[Path]:
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                             check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: cannot list the tracked files")
    return [ROOT / p for p in out.decode().split("\0") if p]


def test_no_tracked_file_names_a_path_outside_the_checkout():
    files = tracked_files()
    assert len(files) > 50
    hits = []
    for f in files:
        if not f.is_file():
            continue  # deleted in the working tree
        data = f.read_bytes()
        if b"\0" in data[:4096]:
            continue  # binary (figures)
        text = data.decode("utf-8", errors="replace")
        for n, line in enumerate(text.splitlines(), 1):
            for bad in FORBIDDEN:
                if bad in line:
                    hits.append(f"{f.relative_to(ROOT)}:{n}: {bad!r}: {line.strip()[:100]}")
    assert not hits, "tracked files name paths outside the checkout:\n" + "\n".join(hits)


def test_the_targets_live_in_the_repository():
    targets = ROOT / "docs" / "TARGETS.md"
    text = targets.read_text(encoding="utf-8")
    for figure in ("47.9%", "13.85", "67.8%", "87.8%", "95-98%", "about 1%", "6-11"):
        assert figure in text, figure
    for cited_by in ("README.md", "experiments/calibration.yaml", "sim/params.py",
                     "docs/VALIDATION.md", "docs/ODD.md", "sim/study/validate.py"):
        assert "docs/TARGETS.md" in (ROOT / cited_by).read_text(encoding="utf-8"), cited_by
