"""Network views that never lay out the whole graph.

- :func:`grid_graph`: one node per grid (网格) of each community, sized by residents and
  coloured by the share who took part in the last year; edges count the ties between grids.
  Each community is a panel of its own, so a street of several communities shows them
  apart (ties across communities in red).
  Built with one sparse product, so 100,000 residents cost milliseconds.
- :func:`ego_network`: one resident's ties to radius 2, at most :data:`EGO_MAX` nodes, laid
  out in rings (no force layout), each node with hover details.
"""

from __future__ import annotations

import html
import math

import numpy as np
import scipy.sparse as sp

from ..residents import ACT_TYPES, AGE_GROUPS
from . import i18n

EGO_MAX = 300
SIZE = 420
# each community type's colour (sim.communities.TYPES; tests/test_app.py checks every type
# has one); a colour-blind-safe qualitative palette (ColorBrewer Dark2)
TYPE_COLOURS = {"mixed_old": "#666666", "work_unit": "#1b9e77", "old_town": "#d95f02",
                "commodity": "#7570b3", "resettlement": "#e7298a", "urban_village": "#e6ab02"}


def type_colours() -> dict[str, str]:
    """{community type key: colour} for the types the model knows, in their order."""
    try:
        from ..communities import TYPES
    except ImportError:  # a model without community types
        return {}
    return {key: TYPE_COLOURS.get(key, "#333333") for key in TYPES}


def type_label(key: str, lang: str) -> str:
    """A community type's name in the visitor's language."""
    from ..communities import TYPES
    kind = TYPES.get(key)
    if kind is None:
        return key
    return (kind.label_zh or kind.label) if lang == "zh" else kind.label


def community_types(model) -> tuple[str, ...] | None:
    """The type key of each community (``model.community_types``), None without types."""
    keys = getattr(model, "community_types", None)
    return tuple(keys) if keys is not None and type_colours() else None


def _colour(share: float) -> str:
    """White-to-blue by share (0-1)."""
    s = 0.0 if not np.isfinite(share) else max(0.0, min(1.0, share))
    r, g, b = (int(247 - s * (247 - 8)), int(251 - s * (251 - 69)), int(255 - s * (255 - 148)))
    return f"#{r:02x}{g:02x}{b:02x}"


def grid_graph(model, max_edges: int = 400, lang: str = "en") -> str:
    """SVG of the grid-level graph of the current network; with community types each
    community's panel and its grids' rims take the type's colour, named in a legend."""
    pop = model.pop
    ids = pop.community.astype(np.int64) * model.n_grids_max + model.grid_of
    uniq, node = np.unique(ids, return_inverse=True)
    g = len(uniq)
    member = sp.csr_array((np.ones(pop.n), (np.arange(pop.n), node)), shape=(pop.n, g))
    ties = (member.T @ sp.csr_array(model.adj) @ member).tocoo()  # tie weights between grids
    residents = np.bincount(node, minlength=g)
    took_part = np.bincount(node, weights=pop.acts_last_year() > 0, minlength=g) / np.maximum(residents, 1)
    # each community in a panel of its own (panels in rows), its grids on a lattice inside:
    # ties within a community stay in its panel, ties between communities cross panels
    comm_of = (uniq // model.n_grids_max).astype(int)
    communities = np.unique(comm_of)
    per_row = math.ceil(math.sqrt(len(communities)))
    rows = math.ceil(len(communities) / per_row)
    panel = (SIZE - 10) / per_row
    height = 10 + rows * panel
    pos = np.zeros((g, 2))
    side_max = 1
    for k, comm in enumerate(communities):
        idx = np.flatnonzero(comm_of == comm)
        side = math.ceil(math.sqrt(len(idx)))
        side_max = max(side_max, side)
        j = np.arange(len(idx))
        ox, oy = 5 + (k % per_row) * panel, 5 + (k // per_row) * panel
        pos[idx, 0] = ox + 14 + (j % side + 0.5) / side * (panel - 28)
        pos[idx, 1] = oy + 18 + (j // side + 0.5) / side * (panel - 32)
    kinds = community_types(model)
    colours = type_colours()
    shown_types = [k for k in colours if kinds and k in kinds]  # legend: the types present
    legend_h = 16 * len(shown_types) + (16 if shown_types else 0)
    mask = ties.row < ties.col
    r, c, w = ties.row[mask], ties.col[mask], ties.data[mask]
    keep = np.argsort(-w)[:max_edges]
    wmax = float(w.max()) if w.size else 1.0
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {height + 34 + legend_h:.0f}" '
             f'width="{SIZE}" class="cogov-network" data-view="grid" data-nodes="{g}" '
             f'data-communities="{len(communities)}" style="font: 11px sans-serif; background: white">']
    for k, comm in enumerate(communities):
        ox, oy = 5 + (k % per_row) * panel, 5 + (k // per_row) * panel
        kind = kinds[comm] if kinds and comm < len(kinds) else None
        fill, stroke = (colours[kind] + "1f", colours[kind]) if kind in colours else ("#fafafa", "#bbb")
        name = i18n.t("net_community", lang, c=comm + 1) + (
            f" · {type_label(kind, lang)}" if kind in colours else "")
        parts.append(f'<rect x="{ox + 2:.1f}" y="{oy + 2:.1f}" width="{panel - 4:.1f}" '
                     f'height="{panel - 4:.1f}" fill="{fill}" stroke="{stroke}" rx="6" '
                     f'stroke-width="{2 if kind in colours else 1}" class="cogov-community" '
                     f'data-community="{comm}" data-type="{html.escape(kind or "")}"/>'
                     f'<text x="{ox + 8:.1f}" y="{oy + 14:.1f}" fill="#555">{html.escape(name)}</text>')
    for k in keep:
        a, b = pos[r[k]], pos[c[k]]
        across = comm_of[r[k]] != comm_of[c[k]]
        parts.append(f'<line x1="{a[0]:.1f}" y1="{a[1]:.1f}" x2="{b[0]:.1f}" y2="{b[1]:.1f}" '
                     f'stroke="{"#d62728" if across else "#888"}" stroke-opacity="0.5" '
                     f'stroke-width="{0.5 + 3 * w[k] / wmax:.2f}"/>')
    rmax = max(residents.max(), 1)
    radius_max = max(3.0, 0.45 * (panel - 32) / side_max)
    for i in range(g):
        comm, grid = divmod(int(uniq[i]), model.n_grids_max)
        rad = min(3, radius_max) + (radius_max - min(3, radius_max)) * math.sqrt(residents[i] / rmax)
        kind = kinds[comm] if kinds and comm < len(kinds) else None
        rim = colours.get(kind, "#333")
        tip = i18n.t("net_grid_tip", lang, c=comm + 1, g=grid + 1, n=int(residents[i]),
                     p=100 * took_part[i])
        parts.append(f'<circle cx="{pos[i, 0]:.1f}" cy="{pos[i, 1]:.1f}" r="{rad:.1f}" '
                     f'fill="{_colour(took_part[i])}" stroke="{rim}" '
                     f'stroke-width="{1.5 if kind in colours else 1}"><title>{html.escape(tip)}'
                     '</title></circle>')
    parts.append(f'<text x="4" y="{height + 14:.0f}">'
                 f'{html.escape(i18n.t("net_summary", lang, g=g, c=len(communities)))}</text>'
                 f'<text x="4" y="{height + 28:.0f}">{html.escape(i18n.t("net_colour", lang))}</text>')
    if shown_types:  # the legend of community types, in the visitor's language
        y = height + 44
        parts.append(f'<text x="4" y="{y:.0f}" class="cogov-type-legend-title">'
                     f'{html.escape(i18n.t("net_types", lang))}</text>')
        for j, key in enumerate(shown_types):
            yy = y + 16 * (j + 1)
            parts.append(f'<g class="cogov-type-legend" data-type="{html.escape(key)}">'
                         f'<rect x="6" y="{yy - 9:.0f}" width="14" height="10" fill="{colours[key]}1f" '
                         f'stroke="{colours[key]}" stroke-width="2"/><text x="26" y="{yy:.0f}">'
                         f'{html.escape(type_label(key, lang))}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def ego_nodes(adj, ego: int, radius: int = 2, limit: int = EGO_MAX) -> list[tuple[int, int]]:
    """[(resident, distance)] within ``radius`` of ``ego``, nearest first, at most ``limit``."""
    indptr, indices = adj.indptr, adj.indices
    seen = {ego: 0}
    frontier = [ego]
    for d in range(1, radius + 1):
        nxt = []
        for v in frontier:
            for u in indices[indptr[v]:indptr[v + 1]]:
                u = int(u)
                if u not in seen:
                    if len(seen) >= limit:
                        return list(seen.items())
                    seen[u] = d
                    nxt.append(u)
        frontier = nxt
    return list(seen.items())


def ego_network(model, ego: int, lang: str = "en") -> str:
    """SVG of the ego network of resident ``ego`` (rings by distance, hover details)."""
    pop = model.pop
    adj = sp.csr_array(model.adj)
    nodes = ego_nodes(adj, ego)
    index = {v: i for i, (v, _) in enumerate(nodes)}
    ring: dict[int, list[int]] = {}
    for v, d in nodes:
        ring.setdefault(d, []).append(v)
    pos = {ego: (SIZE / 2, SIZE / 2)}
    for d in (1, 2):
        members = ring.get(d, [])
        for k, v in enumerate(members):
            angle = 2 * math.pi * k / max(len(members), 1)
            rad = (SIZE / 2 - 30) * d / 2
            pos[v] = (SIZE / 2 + rad * math.cos(angle), SIZE / 2 + rad * math.sin(angle))
    acts_year = pop.acts_last_year()
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE + 20}" '
             f'width="{SIZE}" height="{SIZE + 20}" class="cogov-network" data-nodes="{len(nodes)}" '
             'style="font: 11px sans-serif; background: white">']
    for v, _ in nodes:
        for u in adj.indices[adj.indptr[v]:adj.indptr[v + 1]]:
            u = int(u)
            if u in index and index[u] > index[v]:
                (x1, y1), (x2, y2) = pos[v], pos[u]
                parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                             'stroke="#999" stroke-opacity="0.4"/>')
    for v, d in nodes:
        x, y = pos[v]
        acts = ("，" if lang == "zh" else ", ").join(
            f"{i18n.ACTS_ZH.get(t, t) if lang == 'zh' else t} {int(pop.acts[k, v])}"
            for k, t in enumerate(ACT_TYPES))
        tip = i18n.t("ego_tip", lang, v=v, chosen=i18n.t("ego_chosen", lang) if v == ego else "",
                     age=AGE_GROUPS[pop.age_group[v]],
                     origin=i18n.t("ego_migrant" if pop.migrant[v] else "ego_local", lang),
                     party=i18n.t("ego_party" if pop.party[v] else "ego_nonparty", lang),
                     orgs=int(pop.memberships[v]), acts=acts)
        colour = "#d62728" if v == ego else ("#1f77b4" if acts_year[v] > 0 else "#ccc")
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{7 if v == ego else 4 if d == 1 else 3}" '
                     f'fill="{colour}" stroke="#333" stroke-width="0.5"><title>{html.escape(tip)}'
                     '</title></circle>')
    capped = i18n.t("ego_capped", lang) if len(nodes) >= EGO_MAX else ""
    summary = i18n.t("ego_summary", lang, ego=ego, ties=len(ring.get(1, [])), n=len(nodes),
                     capped=capped)
    parts.append(f'<text x="4" y="{SIZE + 14}">{html.escape(summary)}</text></svg>')
    return "".join(parts)
