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

EGO_MAX = 300
SIZE = 420


def _colour(share: float) -> str:
    """White-to-blue by share (0-1)."""
    s = 0.0 if not np.isfinite(share) else max(0.0, min(1.0, share))
    r, g, b = (int(247 - s * (247 - 8)), int(251 - s * (251 - 69)), int(255 - s * (255 - 148)))
    return f"#{r:02x}{g:02x}{b:02x}"


def grid_graph(model, max_edges: int = 400) -> str:
    """SVG of the grid-level graph of the current network."""
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
    mask = ties.row < ties.col
    r, c, w = ties.row[mask], ties.col[mask], ties.data[mask]
    keep = np.argsort(-w)[:max_edges]
    wmax = float(w.max()) if w.size else 1.0
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {height + 34:.0f}" '
             f'width="{SIZE}" class="cogov-network" data-nodes="{g}" '
             f'data-communities="{len(communities)}" style="font: 11px sans-serif; background: white">']
    for k, comm in enumerate(communities):
        ox, oy = 5 + (k % per_row) * panel, 5 + (k // per_row) * panel
        parts.append(f'<rect x="{ox + 2:.1f}" y="{oy + 2:.1f}" width="{panel - 4:.1f}" '
                     f'height="{panel - 4:.1f}" fill="#fafafa" stroke="#bbb" rx="6" '
                     f'class="cogov-community"/><text x="{ox + 8:.1f}" y="{oy + 14:.1f}" '
                     f'fill="#555">community {comm + 1}</text>')
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
        parts.append(f'<circle cx="{pos[i, 0]:.1f}" cy="{pos[i, 1]:.1f}" r="{rad:.1f}" '
                     f'fill="{_colour(took_part[i])}" stroke="#333"><title>community {comm + 1}, '
                     f'grid {grid + 1}: {residents[i]:,} residents, {100 * took_part[i]:.0f}% took '
                     'part in the last year</title></circle>')
    parts.append(f'<text x="4" y="{height + 14:.0f}">{g} grids, {len(communities)} '
                 f'communit{"y" if len(communities) == 1 else "ies"}; size: residents; red: '
                 'ties across communities</text>'
                 f'<text x="4" y="{height + 28:.0f}">colour: share who took part in the last '
                 'year (white 0%, blue 100%)</text></svg>')
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


def ego_network(model, ego: int) -> str:
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
        acts = ", ".join(f"{t} {int(pop.acts[k, v])}" for k, t in enumerate(ACT_TYPES))
        tip = (f"resident {v}{' (chosen)' if v == ego else ''}: age {AGE_GROUPS[pop.age_group[v]]}, "
               f"{'migrant' if pop.migrant[v] else 'local'}, "
               f"{'party member' if pop.party[v] else 'not a party member'}, "
               f"{int(pop.memberships[v])} organization memberships; acts since the start: {acts}")
        colour = "#d62728" if v == ego else ("#1f77b4" if acts_year[v] > 0 else "#ccc")
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{7 if v == ego else 4 if d == 1 else 3}" '
                     f'fill="{colour}" stroke="#333" stroke-width="0.5"><title>{html.escape(tip)}'
                     '</title></circle>')
    capped = " (capped)" if len(nodes) >= EGO_MAX else ""
    parts.append(f'<text x="4" y="{SIZE + 14}">resident {ego}: {len(ring.get(1, []))} ties, '
                 f'{len(nodes)} residents within 2 steps{capped}; blue took part in the last year</text></svg>')
    return "".join(parts)
