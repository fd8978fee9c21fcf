"""How much the study tools say: the command line's ``-q``/``-v`` (``sim.cli`` sets
:data:`VERBOSITY`; the study modules never import the command line)."""

from __future__ import annotations

import sys

VERBOSITY = 0  # -1 quiet, 0 normal, 1 verbose


def detail(*args, **kw) -> None:
    """Print to stderr only with -v."""
    if VERBOSITY > 0:
        print(*args, file=sys.stderr, **kw)
