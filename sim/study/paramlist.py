"""``cogov params``: every parameter of the schema with unit, default, bounds, plausible range,
role and source, as a table, CSV or JSON (for the EMA workbench, SALib or a spreadsheet).

Columns beside the bounds: ``range`` says how the plausible range is known (``declared``,
with its ``range_source``; ``none``: declared to have none, so default studies -- the EMA
workbench's default model, sweeps -- leave the parameter at its value; ``bounds``: a
constant, whose "plausible" range is its bounds), and ``link`` names the declared links
(sim/params.py ``LINKS``: min/max pairs, shares summing to one) the parameter takes part in.

Also :func:`round_to_schema`, the documented rounding helper for designs made outside cogov:
samplers give floats; integer parameters take integral floats (150.0) but refuse 150.3, so
round a design's points first; and :func:`respect_links`, which makes a sampled point obey
the declared links (a min/max pair sampled independently is mapped to (min, where max lies
above it); share lists are renormalized).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from ..config import ScenarioError
from ..params import (LINKS, field_bounds, iter_parameters, link_violation, links_of,
                      plausible_range, range_status)
from ..params import respect_links as _respect_links

COLUMNS = ("key", "section", "role", "type", "default", "unit", "min", "max", "plausible_low",
           "plausible_high", "range", "range_source", "link", "per_community", "meaning", "source")


def _type(ann) -> str:
    return ann.__name__ if isinstance(ann, type) else str(ann).replace("typing.", "")


def parameter_rows(role: str | None = None, section: str | None = None) -> list[dict[str, Any]]:
    """One dict per parameter (COLUMNS), optionally of one role and/or one section."""
    rows = []
    for path, field, _ in iter_parameters():
        extra = field.json_schema_extra or {}
        sec = path.split(".", 1)[0]
        if role and extra.get("role") != role:
            continue
        if section and sec != section:
            continue
        b = field_bounds(field)
        numeric = field.annotation in (int, float)
        pr = plausible_range(path) if numeric else None
        rows.append({"key": path, "section": sec, "role": extra.get("role", ""),
                     "type": _type(field.annotation),
                     "default": field.get_default(call_default_factory=True),
                     "unit": extra.get("unit", ""), "min": b.get("ge", b.get("gt")),
                     "max": b.get("le", b.get("lt")),
                     "plausible_low": pr[0] if pr else None, "plausible_high": pr[1] if pr else None,
                     "range": range_status(path) if numeric else "",
                     "range_source": extra.get("range_source", ""),
                     "per_community": extra.get("per_community", ""),
                     "link": "; ".join(link.describe() for link in links_of(path)),
                     "meaning": field.description or "", "source": extra.get("source", "")})
    return rows


def round_to_schema(point: dict[str, Any]) -> dict[str, Any]:
    """Round a design point from an outside sampler to what the schema takes: integer
    parameters to the nearest integer, switches (bool) to True above 0.5; other values are
    unchanged. Keys are ``section.key`` paths; an unknown key is a ScenarioError.

    >>> round_to_schema({"committee.pushed_down_duty_items": 150.3, "behaviour.w_trust": 1.27})
    {'committee.pushed_down_duty_items': 150, 'behaviour.w_trust': 1.27}
    """
    fields = {p: f for p, f, _ in iter_parameters()}
    out = {}
    for key, value in point.items():
        if key not in fields:
            raise ScenarioError(f"round_to_schema: {key!r} is not a scenario parameter")
        ann = fields[key].annotation
        v = value.item() if hasattr(value, "item") else value
        if ann is int and isinstance(v, float):
            v = int(round(v))
        elif ann is bool and isinstance(v, (int, float)) and not isinstance(v, bool):
            v = bool(v > 0.5)
        out[key] = v
    return out


def respect_links(point: dict[str, Any], ranges: dict[str, tuple[float, float]] | None = None
                  ) -> dict[str, Any]:
    """A sampled design point (key paths, e.g. after :func:`round_to_schema`) made to obey the
    schema's declared links (``LINKS`` in sim/params.py): a min/max pair is mapped to (min,
    where max lies in what is left of its range above min), shares are renormalized. A point
    that still breaks a link (one key of a pair missing from the point cannot be checked
    here) is a ScenarioError.

    >>> respect_links({"grants.amount_min_yuan": 5000.0, "grants.amount_max_yuan": 2000.0})
    {'grants.amount_min_yuan': 5000.0, 'grants.amount_max_yuan': 5000.0}
    """
    out = _respect_links(point, ranges)
    bad = link_violation(out)
    if bad:
        raise ScenarioError(f"respect_links: {bad}")
    return out


def cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, (list, dict)):
        return json.dumps(v)
    return str(v)


def print_table(rows: list[dict], file=None) -> None:
    file = sys.stdout if file is None else file
    cols = ("key", "role", "default", "unit", "min", "max", "plausible_low", "plausible_high",
            "range")
    heads = ("key", "role", "default", "unit", "min", "max", "plausible from", "to", "range")
    cells = [[cell(r[c]) for c in cols] for r in rows]
    for row in cells:  # long defaults (lists) and units are cut, the CSV/JSON keep them
        row[2] = row[2] if len(row[2]) <= 24 else row[2][:21] + "..."
        row[3] = row[3] if len(row[3]) <= 26 else row[3][:23] + "..."
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(heads)]
    print("  ".join(h.ljust(w) for h, w in zip(heads, widths)).rstrip(), file=file)
    for r in cells:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip(), file=file)
    none = [r["key"] for r in rows if r["range"] == "none"]
    print(f"\n{len(rows)} parameters; meaning, source, range_source and link: --format csv or "
          "json", file=file)
    print("range: 'declared' (with its source), 'none' (no range to explore: default studies "
          "keep it at its value), 'bounds' (a constant)" + (f"; none here: {', '.join(none)}"
                                                            if none else ""), file=file)
    links = [link.describe() for link in LINKS
             if any(k in {r["key"] for r in rows} for k in link.keys)]
    if links:
        print("linked (every design respects them): " + "; ".join(links), file=file)

