"""The social network, built with numpy straight into scipy sparse arrays.

Ties: household (strong, weight 1), building/courtyard neighbours (0.5), wider small-world
ties (0.25) and ties formed through shared organization membership (0.4). Where two kinds
join the same pair the stronger weight is kept. Migrants draw fewer building and wider ties,
and wider ties are drawn within one's own group with probability ``homophily``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.sparse as sp

from .config import ScenarioError
from .kernels import csr_maximum, csr_without, symmetric_pattern
from .memo import LastSeen

W_HOUSEHOLD, W_BUILDING, W_WIDER, W_ORG = 1.0, 0.5, 0.25, 0.4
STRONG = 0.5  # ties of at least this weight count as close (disputes arise along them)


def _sym(rows: np.ndarray, cols: np.ndarray, weight: float, n: int) -> sp.csr_array:
    """Symmetric sparse array with one weight; self-loops dropped, duplicates collapsed."""
    keep = rows != cols
    rows, cols = rows[keep], cols[keep]
    r = np.concatenate([rows, cols])
    c = np.concatenate([cols, rows])
    m = sp.csr_array((np.ones(r.size, dtype=np.float32), (r, c)), shape=(n, n))
    m.sum_duplicates()
    m.data[:] = weight  # collapse duplicate pairs to one tie of this kind
    return m


def household_pairs(household: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All pairs within households; residents of a household are contiguous."""
    n = household.size
    starts = np.flatnonzero(np.r_[True, household[1:] != household[:-1]])
    sizes = np.diff(np.r_[starts, n])
    pos = np.arange(n) - np.repeat(starts, sizes)
    size_of = np.repeat(sizes, sizes)
    rows, cols = [], []
    for k in range(1, int(sizes.max()) if n else 1):
        i = np.flatnonzero(pos + k < size_of)
        rows.append(i)
        cols.append(i + k)
    if not rows:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(rows), np.concatenate(cols)


def _draw_within(rng: np.random.Generator, group: np.ndarray, members_of: dict,
                 src: np.ndarray) -> np.ndarray:
    """For each source resident, a uniformly drawn resident of the same group (by key)."""
    out = np.empty(src.size, dtype=np.int64)
    if src.size == 0:  # no stubs (e.g. building_ties=0 or homophily=0): nothing to draw
        return out
    keys = group[src]
    order = np.argsort(keys, kind="stable")
    sk = keys[order]
    bounds = np.flatnonzero(np.r_[True, sk[1:] != sk[:-1], True])
    for a, b in zip(bounds[:-1], bounds[1:]):
        pool = members_of[sk[a]]
        out[order[a:b]] = pool[rng.integers(0, pool.size, b - a)]
    return out


def _index(keys: np.ndarray) -> dict:
    order = np.argsort(keys, kind="stable")
    sk = keys[order]
    bounds = np.flatnonzero(np.r_[True, sk[1:] != sk[:-1], True])
    return {sk[a]: order[a:b] for a, b in zip(bounds[:-1], bounds[1:])}


def generate(rng: np.random.Generator, pop, net) -> sp.csr_array:
    """Generate the weighted adjacency for a population (see module docstring)."""
    n = pop.n
    factor = np.where(pop.migrant, net.migrant_tie_factor, 1.0)
    layers = [_sym(*household_pairs(pop.household), W_HOUSEHOLD, n)]

    # building/courtyard neighbours: each resident sends Poisson(k/2) stubs, symmetrized -> mean k
    stubs = rng.poisson(net.building_ties / 2 * factor)
    src = np.repeat(np.arange(n), stubs)
    dst = _draw_within(rng, pop.building, _index(pop.building), src)
    layers.append(_sym(src, dst, W_BUILDING, n))

    # wider ties: within own group (homophily) or anyone in the community, or another community
    stubs = rng.poisson(net.wider_ties / 2 * factor)
    src = np.repeat(np.arange(n), stubs)
    u = rng.random(src.size)
    cross = u < net.cross_community_share if pop.n_communities > 1 else np.zeros(src.size, bool)
    same_group = (~cross) & (rng.random(src.size) < net.homophily)
    dst = np.empty(src.size, dtype=np.int64)
    grp_key = pop.community * 2 + pop.migrant.astype(np.int64)
    m = same_group
    dst[m] = _draw_within(rng, grp_key, _index(grp_key), src[m])
    m = ~same_group & ~cross
    dst[m] = _draw_within(rng, pop.community, _index(pop.community), src[m])
    m = cross
    dst[m] = rng.integers(0, n, m.sum())
    layers.append(_sym(src, dst, W_WIDER, n))

    adj = layers[0]
    for layer in layers[1:]:
        adj = adj.maximum(layer)
    return sp.csr_array(adj)


def newcomer_ties(rng: np.random.Generator, pop, net, newcomers: np.ndarray,
                  factor: float) -> tuple[np.ndarray, ...]:
    """Building and wider ties of newcomers who moved into a home (ODD 7.16): drawn as
    :func:`generate` draws them, with ``factor`` of the stubs (they know fewer people yet);
    CSR arrays (indptr, sorted indices, float32 data)."""
    n = pop.n
    by_building, grp_key, by_group, by_community = _newcomer_indexes(pop.building, pop.community, pop.migrant)
    f = factor * np.where(pop.migrant[newcomers], net.migrant_tie_factor, 1.0)
    stubs = rng.poisson(net.building_ties / 2 * f)
    src = np.repeat(newcomers, stubs)
    dst = _draw_within(rng, pop.building, by_building, src)
    building = _sym_layer(src, dst, W_BUILDING, n)
    stubs = rng.poisson(net.wider_ties / 2 * f)
    src = np.repeat(newcomers, stubs)
    cross = (rng.random(src.size) < net.cross_community_share) if pop.n_communities > 1 \
        else np.zeros(src.size, bool)
    same_group = (~cross) & (rng.random(src.size) < net.homophily)
    dst = np.empty(src.size, dtype=np.int64)
    dst[same_group] = _draw_within(rng, grp_key, by_group, src[same_group])
    other = ~same_group & ~cross
    dst[other] = _draw_within(rng, pop.community, by_community, src[other])
    dst[cross] = rng.integers(0, n, int(cross.sum()))
    wider = _sym_layer(src, dst, W_WIDER, n)
    return csr_maximum(*building, *wider)


# the residents of each building, group and community, for the last population seen: a
# resident's building, community and hukou never change (a newcomer takes the mover's place),
# and sorting every resident three times was a third of a month's move
def _build_newcomer_indexes(building: np.ndarray, community: np.ndarray, migrant: np.ndarray) -> tuple:
    """``_index`` of the buildings, the (community, hukou) groups and the communities, and
    the group keys, as :func:`newcomer_ties` draws from them."""
    grp_key = community * 2 + migrant.astype(np.int64)
    return _index(building), grp_key, _index(grp_key), _index(community)


_newcomer_indexes = LastSeen(_build_newcomer_indexes)


def _sym_layer(rows: np.ndarray, cols: np.ndarray, weight: float, n: int) -> tuple[np.ndarray, ...]:
    """:func:`_sym` as CSR arrays (indptr, sorted indices, float32 data) built in one compiled
    counting pass: the same structure and weights, without scipy's conversion (a month's
    newcomers are a few dozen residents among thousands)."""
    indptr, indices = symmetric_pattern(rows.astype(np.int64, copy=False),
                                        cols.astype(np.int64, copy=False), n)
    return indptr, indices, np.full(indices.size, weight, np.float32)


def without_ties_of(adj: sp.csr_array, moving: np.ndarray, below: float) -> tuple[np.ndarray, ...]:
    """``adj``'s CSR arrays (indptr, indices, data) without the ties of weight under ``below``
    that touch a resident in ``moving`` (a mask): the rows' order and sorted indices kept.
    One compiled pass (:func:`sim.kernels.csr_without`); the rule in numpy is
    :func:`without_ties_of_reference`."""
    # ``below`` in the weights' own type, as numpy compares a float32 array with a float
    return csr_without(adj.indptr, adj.indices, adj.data, moving, adj.data.dtype.type(below))


def without_ties_of_reference(adj: sp.csr_array, moving: np.ndarray, below: float) -> tuple[np.ndarray, ...]:
    """:func:`without_ties_of` in numpy (tests/test_kernels.py ties them)."""
    rows = np.repeat(np.arange(adj.shape[0]), np.diff(adj.indptr))
    keep = ~((moving[rows] | moving[adj.indices]) & (adj.data < below))
    indptr = np.zeros(adj.shape[0] + 1, np.int64)
    np.cumsum(np.bincount(rows[keep], minlength=adj.shape[0]), out=indptr[1:])
    return indptr, adj.indices[keep], adj.data[keep]


def _data_line(path: Path, row: int) -> int:
    """The file's line number (1-based) of the ``row``-th data line (np.loadtxt skips blank
    lines and # comments)."""
    k = -1
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            if line.split("#", 1)[0].strip():
                k += 1
                if k == row:
                    return number
    return row + 1


def _check_edge_rows(path: Path, arr: np.ndarray) -> None:
    """Node ids are whole numbers 0 or more; weights finite, 0 or more: a NaN weight would
    spread NaN through every neighbour sum of the run."""
    ids = arr[:, :2]
    safe = np.where(np.isfinite(ids), ids, 0.0)
    bad_id = ~np.isfinite(ids).all(axis=1) | np.any((safe < 0) | (safe != np.round(safe)) | (safe > 2**62), axis=1)
    if bad_id.any():
        row = int(np.argmax(bad_id))
        raise ScenarioError(f"{path}: line {_data_line(path, row)}: node ids {arr[row, 0]:g} "
                            f"{arr[row, 1]:g}; an id is a whole number, 0 or more")
    if arr.shape[1] == 3:
        w = arr[:, 2]
        bad = ~(np.isfinite(w) & (w >= 0))
        if bad.any():
            row = int(np.argmax(bad))
            raise ScenarioError(f"{path}: line {_data_line(path, row)}: weight {w[row]:g}; a weight "
                                "is a finite number, 0 or more")


def check_edge_list(path: str) -> None:
    """Read a user's network file and check it (ids, weights), without a population: the
    commands call this before any run, so a bad file is named before work starts."""
    p = Path(path)
    if not p.is_file():
        raise ScenarioError(f"network.edge_list: no such file {path!r}")
    if p.suffix.lower() == ".graphml":
        return  # GraphML's weights are checked as it is loaded
    try:
        arr = np.loadtxt(p, delimiter="," if p.suffix.lower() == ".csv" else None, ndmin=2,
                         comments="#")
    except ValueError as exc:
        raise ScenarioError(f"{path}: an edge list needs two or three numbers a line: {exc}") from None
    if arr.shape[1] not in (2, 3):
        raise ScenarioError(f"{path}: an edge list needs two or three columns (i j [weight])")
    _check_edge_rows(p, arr)


def load_user_network(path: str, n: int) -> sp.csr_array:
    """Read a user's network: an edge list (``i j [weight]`` per line, comma or space) or GraphML.

    Nodes are taken in sorted order and mapped to residents 0..n-1; the node count must
    equal the population size.
    """
    p = Path(path)
    if not p.is_file():
        raise ScenarioError(f"network.edge_list: no such file {path!r}")
    if p.suffix.lower() == ".graphml":
        import networkx as nx
        try:
            g = nx.read_graphml(p)
        except Exception as exc:  # a malformed file is the user's mistake
            raise ScenarioError(f"{path}: not readable as GraphML: {exc}") from None
        # GraphML stores ids as text: order "0", "1", ..., "10" as numbers, like an edge list
        try:
            nodes = sorted(g.nodes(), key=int)
        except (TypeError, ValueError):
            nodes = sorted(g.nodes(), key=lambda x: (str(type(x)), x))
        if len(nodes) != n:
            raise ScenarioError(f"{path}: the network has {len(nodes)} nodes but the population has "
                                f"{n} residents; set population.residents_per_community to match")
        pos = {v: i for i, v in enumerate(nodes)}
        rows, cols, w = [], [], []
        for a, b, d in g.edges(data=True):
            try:
                weight = float(d.get("weight", W_BUILDING))
            except (TypeError, ValueError):
                weight = float("nan")
            if not (np.isfinite(weight) and weight >= 0):
                raise ScenarioError(f"{path}: edge {a}-{b}: weight {d.get('weight')!r}; a weight is a "
                                    "finite number, 0 or more")
            rows.append(pos[a]); cols.append(pos[b]); w.append(weight)
        rows, cols, w = np.array(rows, np.int64), np.array(cols, np.int64), np.array(w, np.float32)
    else:
        try:
            arr = np.loadtxt(p, delimiter="," if p.suffix.lower() == ".csv" else None, ndmin=2,
                             comments="#")
        except ValueError as exc:
            raise ScenarioError(f"{path}: an edge list needs two or three numbers a line: {exc}") from None
        if arr.shape[1] not in (2, 3):
            raise ScenarioError(f"{path}: an edge list needs two or three columns (i j [weight])")
        _check_edge_rows(p, arr)
        ids = np.unique(arr[:, :2].astype(np.int64))
        if ids.size != n:
            raise ScenarioError(f"{path}: the network has {ids.size} nodes but the population has "
                                f"{n} residents; set population.residents_per_community to match")
        rows = np.searchsorted(ids, arr[:, 0].astype(np.int64))
        cols = np.searchsorted(ids, arr[:, 1].astype(np.int64))
        w = arr[:, 2].astype(np.float32) if arr.shape[1] == 3 else np.full(rows.size, W_BUILDING, np.float32)
    keep = rows != cols
    rows, cols, w = rows[keep], cols[keep], w[keep]
    m = sp.coo_array((np.r_[w, w], (np.r_[rows, cols], np.r_[cols, rows])), shape=(n, n)).tocsr()
    m.sum_duplicates()
    return sp.csr_array(m)


def org_layer(pairs_i: list, pairs_j: list, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ties formed through shared organization membership, as CSR arrays (indptr, sorted
    indices, data): the structure and weights :func:`_sym` gives, built in one compiled pass
    (scipy's conversion cost most of the monthly merge, which reads only these arrays)."""
    rows = np.concatenate(pairs_i) if pairs_i else np.empty(0, np.int64)
    cols = np.concatenate(pairs_j) if pairs_j else np.empty(0, np.int64)
    indptr, indices = symmetric_pattern(rows.astype(np.int64, copy=False),
                                        cols.astype(np.int64, copy=False), n)
    return indptr, indices, np.full(indices.size, W_ORG, np.float32)


def to_networkx(adj: sp.csr_array, node_attrs: dict[str, np.ndarray] | None = None):
    """Export the network to networkx (for analysis and small pictures)."""
    import networkx as nx
    g = nx.from_scipy_sparse_array(adj)
    for name, values in (node_attrs or {}).items():
        nx.set_node_attributes(g, {i: v.item() for i, v in enumerate(values)}, name)
    return g
