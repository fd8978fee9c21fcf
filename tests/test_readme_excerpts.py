"""The command output the README shows, and the counts docs/ema.md gives, are what the code
produces now: each marked block is regenerated in memory by docs/gen_readme_excerpts.py and
compared with the committed text. On a difference, run `python docs/gen_readme_excerpts.py`
(and read the diff: a changed number in the README is a changed model)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _gen():
    spec = importlib.util.spec_from_file_location("gen_readme_excerpts",
                                                  DOCS / "gen_readme_excerpts.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_ema_doc_counts_the_schema():
    pytest.importorskip("ema_workbench")
    gen = _gen()
    text = gen.EMA_DOC.read_text(encoding="utf-8")
    assert gen.current(text, "ema-counts") == gen.ema_counts_block(), (
        "docs/ema.md's counts of uncertainties and levers are stale: run "
        "`python docs/gen_readme_excerpts.py --only ema-counts`")


@pytest.mark.slow
def test_readme_compare_excerpt_is_the_command_output():
    """About 20 s of CPU: ten runs of 2,000 adults with the five-year spin-up."""
    gen = _gen()
    text = gen.README.read_text(encoding="utf-8")
    committed = gen.current(text, "compare")
    assert committed, "README.md lacks the <!-- BEGIN compare --> block"
    fresh = gen.compare_block()
    assert committed == fresh, (
        "README.md's compare excerpt is not what the command prints now: run "
        "`python docs/gen_readme_excerpts.py --only compare`\n"
        + "\n".join(a + "  |  " + b for a, b in zip(committed.splitlines(), fresh.splitlines())
                    if a != b)[:3000])


def test_the_shown_command_is_the_one_run():
    gen = _gen()
    block = gen.current(gen.README.read_text(encoding="utf-8"), "compare")
    shown = block.split("```\n", 2)[1].split("\n```")[0].replace(" \\\n   ", "")
    assert " ".join(shown.split()) == gen.COMPARE
