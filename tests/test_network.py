"""The social network: household, building and wider ties, migrants' fewer ties, ties from
shared organization membership, export to networkx, and user-supplied networks."""

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from conftest import small

from sim import network as net
from sim.config import ScenarioError
from sim.model import CoGovModel

N = 1500  # residents in small()


def _pairs(adj, weight):
    """Set of (i, j), i < j, of ties of exactly this weight."""
    coo = sp.coo_array(adj)
    m = (np.isclose(coo.data, weight)) & (coo.row < coo.col)
    return set(zip(coo.row[m].tolist(), coo.col[m].tolist()))


@pytest.fixture(scope="module")
def model():
    return CoGovModel(small(), rng=11)


# ------------------------------------------------------------------ the generated network
def test_network_is_symmetric_without_self_loops(model):
    a = model.base_adj
    assert a.shape == (N, N)
    assert abs(a - a.T).max() == 0
    assert a.diagonal().sum() == 0
    assert set(np.unique(a.data).round(3)) <= {net.W_HOUSEHOLD, net.W_BUILDING, net.W_WIDER}


def test_every_household_is_a_clique_of_strong_ties(model):
    pop, a = model.pop, model.base_adj
    hh_ties = _pairs(a, net.W_HOUSEHOLD)
    expected = set()
    for h in np.unique(pop.household):
        members = np.flatnonzero(pop.household == h)
        expected |= {(int(i), int(j)) for k, i in enumerate(members) for j in members[k + 1:]}
    assert expected, "a population of 1,500 at 2.6 adults/household has multi-adult households"
    assert hh_ties == expected


def test_building_ties_stay_in_the_building(model):
    pop = model.pop
    ties = _pairs(model.base_adj, net.W_BUILDING)
    assert len(ties) > N  # mean ~3 a resident (k/2 pairs a resident)
    i, j = np.array(sorted(ties)).T
    assert (pop.building[i] == pop.building[j]).all()
    assert (pop.household[i] != pop.household[j]).all()


def test_no_building_or_wider_ties_when_switched_off():
    m = CoGovModel(small(network={"building_ties": 0, "wider_ties": 0}), rng=11)
    assert not _pairs(m.base_adj, net.W_BUILDING)
    assert not _pairs(m.base_adj, net.W_WIDER)
    assert _pairs(m.base_adj, net.W_HOUSEHOLD)


def test_wider_ties_cross_communities_only_as_told():
    two = {"n_communities": 2, "residents_per_community": 600}
    closed = CoGovModel(small(population=two, network={"cross_community_share": 0.0}), rng=3)
    i, j = np.array(sorted(_pairs(closed.base_adj, net.W_WIDER))).T
    assert (closed.pop.community[i] == closed.pop.community[j]).all()
    opened = CoGovModel(small(population=two, network={"cross_community_share": 0.5}), rng=3)
    i, j = np.array(sorted(_pairs(opened.base_adj, net.W_WIDER))).T
    assert (opened.pop.community[i] != opened.pop.community[j]).mean() > 0.1


def test_wider_ties_are_homophilous():
    def cross_group_share(h):
        m = CoGovModel(small(network={"homophily": h, "building_ties": 0}), rng=4)
        i, j = np.array(sorted(_pairs(m.base_adj, net.W_WIDER))).T
        return (m.pop.migrant[i] != m.pop.migrant[j]).mean()
    assert cross_group_share(0.95) < 0.6 * cross_group_share(0.0)


def _non_household_degree(m):
    a = m.base_adj
    strong = np.asarray((a >= net.W_HOUSEHOLD - 1e-6).sum(axis=1)).ravel()
    return np.diff(a.indptr) - strong


def test_migrants_start_with_fewer_ties():
    """Paired on the seed: with the default factor migrants have clearly fewer ties; with the
    factor at 1 (the mechanism off) the gap disappears."""
    m = CoGovModel(small(), rng=2)
    mig = m.pop.migrant
    assert 0 < mig.sum() < mig.size
    deg = m.initial_degree
    assert deg[mig].mean() < 0.85 * deg[~mig].mean()
    other = _non_household_degree(m)
    assert other[mig].mean() < 0.75 * other[~mig].mean()

    off = CoGovModel(small(network={"migrant_tie_factor": 1.0}), rng=2)
    mig = off.pop.migrant
    other = _non_household_degree(off)
    assert other[mig].mean() == pytest.approx(other[~mig].mean(), rel=0.1)


def test_network_follows_the_seed():
    a = CoGovModel(small(), rng=8).base_adj
    b = CoGovModel(small(), rng=8).base_adj
    c = CoGovModel(small(), rng=9).base_adj
    assert (a != b).nnz == 0
    assert (a != c).nnz > 0


# -------------------------------------------------------------- organization membership ties
def _free_pair(m):
    """Two residents with no tie, in different buildings."""
    a = m.adj
    for i in range(0, N, 7):
        for j in range(N - 1, 0, -13):
            if m.pop.building[i] != m.pop.building[j] and a[i, j] == 0:
                return i, j
    raise AssertionError("no untied pair")


def test_org_ties_join_the_network_at_the_month_end():
    m = CoGovModel(small(), rng=5)
    i, j = _free_pair(m)
    m.add_org_ties(np.array([i]), np.array([j]))
    for _ in range(29):  # days 0..28
        m.step()
    assert m.adj[i, j] == 0
    m.step()  # day 29: the monthly rebuild
    assert m.adj[i, j] == pytest.approx(net.W_ORG)
    assert m.adj[j, i] == pytest.approx(net.W_ORG)
    assert m.base_adj[i, j] == 0  # the generated layer is left as it was
    g = m.to_networkx()
    assert g.has_edge(i, j)


def test_shared_membership_adds_ties_over_a_run():
    """Paired: recruiting forms ties with members; with org_ties_per_join=0 it forms none."""
    on = CoGovModel(small(), rng=6)
    on.run()
    off = CoGovModel(small(network={"org_ties_per_join": 0}), rng=6)
    off.run()
    assert (off.adj != off.base_adj).nnz == 0
    changed = on.adj != on.base_adj
    assert changed.nnz > 0
    rows, cols = changed.nonzero()
    assert np.allclose(on.adj[rows, cols], net.W_ORG)  # new ties have the membership weight
    # only absent or weaker (wider) ties changed: stronger existing ties are kept
    assert (on.base_adj[rows, cols] < net.W_ORG).all()
    assert (on.base_adj[rows, cols] == 0).any()         # and some ties are new


# ----------------------------------------------------------------------- networkx export
def test_to_networkx(model):
    g = model.to_networkx()
    assert isinstance(g, nx.Graph)
    assert g.number_of_nodes() == N
    assert g.number_of_edges() == model.adj.nnz // 2
    i, j = next(iter(_pairs(model.adj, net.W_HOUSEHOLD)))
    assert g[i][j]["weight"] == pytest.approx(net.W_HOUSEHOLD)
    for attr, arr in (("community", model.pop.community), ("migrant", model.pop.migrant),
                      ("party", model.pop.party), ("retired", model.pop.retired)):
        values = nx.get_node_attributes(g, attr)
        assert len(values) == N
        assert [values[k] for k in range(N)] == arr.tolist()


# ------------------------------------------------------------------- user-supplied network
def _ring(n, offset=0):
    """A ring lattice: each node tied to the next two (every node appears)."""
    i = np.arange(n)
    return [(int(a) + offset, int(b) + offset) for a, b in
            np.r_[np.c_[i, (i + 1) % n], np.c_[i, (i + 2) % n]]]


def _as_set(adj):
    coo = sp.coo_array(adj)
    return {(min(a, b), max(a, b)) for a, b in zip(coo.row.tolist(), coo.col.tolist())}


def test_user_edge_list_csv_replaces_the_generated_network(tmp_path):
    edges = _ring(N)
    f = tmp_path / "net.csv"
    f.write_text("".join(f"{a},{b}\n" for a, b in edges))
    m = CoGovModel(small(network={"edge_list": str(f)}), rng=1)
    assert _as_set(m.base_adj) == {(min(a, b), max(a, b)) for a, b in edges}
    assert np.allclose(m.base_adj.data, net.W_BUILDING)  # default weight
    assert (np.diff(m.base_adj.indptr) == 4).all()
    for _ in range(5):
        m.step()
    # group ties (ODD 7.7) come on top of the user's network; without them it is the user's
    assert m.to_networkx().number_of_edges() >= len(edges)
    plain = CoGovModel(small(network={"edge_list": str(f), "org_ties_per_join": 0}), rng=1)
    for _ in range(5):
        plain.step()
    assert plain.to_networkx().number_of_edges() == len(edges)


def test_user_edge_list_txt_with_weights_comments_and_offset_ids(tmp_path):
    edges = _ring(N, offset=1)  # ids 1..N map to residents 0..N-1 in order
    f = tmp_path / "net.txt"
    f.write_text("# i j weight\n" + "".join(f"{a} {b} 0.8\n" for a, b in edges))
    adj = net.load_user_network(str(f), N)
    assert _as_set(adj) == {(min(a, b) - 1, max(a, b) - 1) for a, b in edges}
    assert np.allclose(adj.data, 0.8)


def test_user_graphml_maps_nodes_like_the_edge_list(tmp_path):
    g = nx.Graph()
    g.add_edges_from(_ring(N))
    f = tmp_path / "net.graphml"
    nx.write_graphml(g, f)
    adj = net.load_user_network(str(f), N)
    assert _as_set(adj) == {(min(a, b), max(a, b)) for a, b in g.edges()}
    m = CoGovModel(small(network={"edge_list": str(f)}), rng=1)
    assert _as_set(m.base_adj) == _as_set(adj)


@pytest.mark.parametrize("suffix", [".csv", ".txt", ".graphml"])
def test_user_network_with_wrong_node_count_is_a_clear_error(tmp_path, suffix):
    edges = _ring(N - 10)
    f = tmp_path / f"net{suffix}"
    if suffix == ".graphml":
        g = nx.Graph()
        g.add_edges_from(edges)
        nx.write_graphml(g, f)
    else:
        sep = "," if suffix == ".csv" else " "
        f.write_text("".join(f"{a}{sep}{b}\n" for a, b in edges))
    with pytest.raises(ScenarioError) as exc:
        CoGovModel(small(network={"edge_list": str(f)}), rng=1)
    msg = str(exc.value)
    assert str(f) in msg
    assert str(N - 10) in msg and str(N) in msg
    assert "residents_per_community" in msg


def test_user_network_missing_or_malformed_file(tmp_path):
    with pytest.raises(ScenarioError, match="no such file"):
        net.load_user_network(str(tmp_path / "nope.csv"), N)
    bad = tmp_path / "bad.csv"
    bad.write_text("source,target\n0,1\n")
    with pytest.raises(ScenarioError, match="bad.csv"):
        net.load_user_network(str(bad), N)
    wide = tmp_path / "wide.csv"
    wide.write_text("0,1,1,1\n")
    with pytest.raises(ScenarioError, match="columns"):
        net.load_user_network(str(wide), N)
    gml = tmp_path / "broken.graphml"
    gml.write_text("<graphml><graph>")
    with pytest.raises(ScenarioError, match="broken.graphml"):
        net.load_user_network(str(gml), N)
