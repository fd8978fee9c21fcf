"""``cogov types``: the community types (:mod:`sim.communities`), each with its preset, or one
type in full with the source of every value."""

from __future__ import annotations

from ..communities import DEFAULT_TYPE, PER_COMMUNITY_KEYS, TYPES, value_under
from .common import add_command, info


def add_parser(sub) -> None:
    p = add_command(sub, "types", "list the community types and their presets (set one with "
                    "population.community_type)",
                    examples=("cogov types", "cogov types urban_village"))
    p.add_argument("type", nargs="?", default=None, choices=list(TYPES),
                   help="a type's key: show each preset value with its source")
    p.set_defaults(func=types_command)


def types_command(args) -> int:
    if args.type is None:
        info(f"community types (the default: {DEFAULT_TYPE})")
        for t in TYPES.values():
            info(f"{t.key:<14} {t.label} ({t.label_zh})\n{'':<14} {t.description}")
        info("\n`cogov types KEY` shows one type's values and sources; a scenario names its type "
             "with population.community_type (or population.community_types, one per community)")
        return 0
    t = TYPES[args.type]
    info(f"{t.key}: {t.label} ({t.label_zh}): {t.description}")
    for key in PER_COMMUNITY_KEYS:
        mark = "" if key in t.preset else "  (schema default)"
        info(f"  {key} = {value_under(t.key, key)!r}{mark}")
        if key in t.notes:
            info(f"      {t.notes[key]}")
    info("sources: " + "; ".join(t.sources))
    return 0
