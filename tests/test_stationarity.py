"""The stationarity judgement (sim.study.stationarity) on yearly tables whose trend is known."""

import numpy as np
import pandas as pd

from sim.study.stationarity import (YEARLY, confirm_drifts, confirmed_from_year, pool_undetermined,
                                   settled_from_year, trend_table)


def table(seeds=10, years=10, drift=None, lumpy=None, settle_at=None, seed=0, rate=0.05):
    """Every outcome flat at 100 with 1% noise; ``drift``: +``rate`` x 100 a year in every seed;
    ``lumpy``: mean 100 but year-to-year noise of 60% (a few events a year); ``settle_at``:
    for ``drift``, the trend stops at that year."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(1, seeds + 1):
        for y in range(1, years + 1):
            row = {"seed": s, "year": y}
            for k in YEARLY:
                row[k] = 100.0 * (1 + 0.01 * rng.standard_normal())
            if drift:
                row[drift] = 100.0 * (1 + rate * (min(y, settle_at) if settle_at else y)) \
                    * (1 + 0.01 * rng.standard_normal())
            if lumpy:
                row[lumpy] = max(0.0, 100.0 * (1 + 0.6 * rng.standard_normal()))
            rows.append(row)
    return pd.DataFrame(rows)


def test_flat_outcomes_are_settled_and_a_trend_the_seeds_agree_on_drifts():
    t = trend_table(table(drift="trust_mean")).set_index("outcome")
    assert t.loc["trust_mean", "status"] == "drifting" and not t.loc["trust_mean", "settled"]
    assert t.loc["trust_mean", "slope_share_of_mean"] > 0.03
    others = t.drop(index="trust_mean")
    assert (others["status"] == "settled").all() and others["settled"].all()


def test_a_lumpy_flow_is_undetermined_with_the_seeds_it_would_take():
    """60% noise a year and no trend: with 10 seeds the slope's interval is several times the
    2% tolerance. Wherever its mean slope happens to land outside 2%, it is undetermined, not
    drifting, and the seeds needed grow with the noise."""
    status = []
    for seed in range(20):
        t = trend_table(table(lumpy="acts_meeting", seed=seed)).set_index("outcome")
        r = t.loc["acts_meeting"]
        assert r["single_run_cv"] > 0.3  # one run moves a lot ...
        if not r["settled"]:
            status.append(r["status"])
            if r["status"] == "undetermined":
                assert r["slope_ci_low"] <= 0 <= r["slope_ci_high"]
                assert r["seeds_needed"] > 10
    # ... so its mean slope leaves 2% in many draws; a 95% interval excludes zero by chance
    # in about one draw of twenty, so nearly all of those are undetermined, not drifting
    assert len(status) >= 5
    assert status.count("undetermined") >= len(status) - 2


def test_single_run_spread_is_reported_beside_the_mean():
    t = trend_table(table(drift="memberships_per_adult")).set_index("outcome")
    assert t.loc["memberships_per_adult", "single_run_slope_max"] > 0.03
    assert t.loc["trust_mean", "single_run_slope_max"] < 0.02
    assert t.loc["trust_mean", "single_run_cv"] < 0.02


def test_a_lever_is_judged_from_the_year_its_effect_has_built():
    """A reform whose outcome grows until year 5 and then holds is settled from year 5: the
    report judges it from there and says so."""
    y = table(drift="memberships_per_adult", settle_at=5, rate=0.3)
    assert (trend_table(y, from_year=3)["status"] == "drifting").any()
    first = settled_from_year(y, first=3)
    assert first in (4, 5)  # within 2% once at most one year of growth is left in the fit
    assert not (trend_table(y, from_year=first)["status"] == "drifting").any()
    # a table that never settles is judged from the last year tried (five years left to fit)
    assert settled_from_year(table(drift="trust_mean"), first=3) == 6


def excursion(seeds=10, years=10, outcome="memberships_per_adult", seed=0):
    """Flat outcomes, but ``outcome`` has the same chance rise in every seed's last years: the
    shared draw common random numbers give a set of seeds (a few seeds' groups happen to grow)."""
    y = table(seeds=seeds, years=years, seed=seed)
    y.loc[y["year"] >= 7, outcome] *= 1.0 + 0.06 * (y.loc[y["year"] >= 7, "year"] - 6)
    return y


def test_a_drift_fresh_seeds_do_not_show_is_not_confirmed_and_does_not_delay_the_verdict():
    screen = excursion()
    fresh = table(seeds=20, seed=1)
    t3 = trend_table(screen, from_year=3)
    assert t3.set_index("outcome").loc["memberships_per_adult", "status"] == "drifting"
    # judged on the first seeds alone, the file would wait until year 6 and still drift
    assert settled_from_year(screen, first=3) == 6
    assert confirmed_from_year(screen, fresh, first=3) == 3
    c = confirm_drifts(t3, trend_table(fresh, from_year=3), 20).set_index("outcome")
    r = c.loc["memberships_per_adult"]
    assert r["status"] == "not confirmed" and r["confirm_seeds"] == 20
    assert r["confirm_ci_low"] <= 0 <= r["confirm_ci_high"] or abs(r["confirm_slope"]) <= 0.02
    assert (c.drop(index="memberships_per_adult")["status"] == "settled").all()


def test_a_drift_fresh_seeds_share_stays_drifting():
    screen, fresh = table(drift="trust_mean"), table(seeds=20, drift="trust_mean", seed=1)
    t = confirm_drifts(trend_table(screen, from_year=3), trend_table(fresh, from_year=3), 20).set_index("outcome")
    assert t.loc["trust_mean", "status"] == "drifting"
    assert t.loc["trust_mean", "confirm_slope"] > 0.02 and t.loc["trust_mean", "confirm_ci_low"] > 0
    assert confirmed_from_year(screen, fresh, first=3) == 6  # never settles: the last year tried
    # fresh seeds that drift the other way do not confirm it
    down = table(seeds=20, drift="trust_mean", seed=2, rate=-0.05)
    t = confirm_drifts(trend_table(screen, from_year=3), trend_table(down, from_year=3), 20).set_index("outcome")
    assert t.loc["trust_mean", "status"] == "not confirmed"


def test_an_undetermined_flow_is_judged_on_the_seeds_its_interval_needs():
    """A lumpy flow (60% noise a year) that ten seeds leave undetermined: pooled over 200
    seeds its interval is within the tolerance, so a flat one is settled and one that rises
    5% a year is drifting. Outcomes that were not undetermined keep the first seeds' call."""
    for seed in range(40):  # a first set of seeds that leaves the flow undetermined
        first = table(lumpy="acts_meeting", seed=seed)
        t = trend_table(first, from_year=3)
        if t.set_index("outcome").loc["acts_meeting", "status"] == "undetermined":
            break
    else:
        raise AssertionError("no draw left the lumpy flow undetermined")
    more = table(seeds=190, lumpy="acts_meeting", seed=1000)
    more["seed"] += 10
    pooled = pool_undetermined(t, pd.concat([first, more])).set_index("outcome")
    r = pooled.loc["acts_meeting"]
    assert r["status"] == "settled" and r["pooled_seeds"] == 200
    assert r["slope_ci_high"] - r["slope_ci_low"] < 0.04
    assert (pooled.drop(index="acts_meeting")["pooled_seeds"] == 0).all()
    rising = table(seeds=190, lumpy="acts_meeting", seed=2000)
    rising["seed"] += 10
    rising["acts_meeting"] *= 1 + 0.05 * rising["year"]
    r = pool_undetermined(t, pd.concat([first, rising])).set_index("outcome").loc["acts_meeting"]
    assert r["status"] == "drifting" and r["slope_ci_low"] > 0


def test_a_lever_excursion_the_baseline_shares_on_its_seeds_is_not_the_levers_drift():
    """Common random numbers: a lever file's seeds 1-10 carry the same chance rise as the
    baseline's seeds 1-10 (both see the same late collective disputes); the baseline on 40
    more seeds has none. With the baseline as the control variate the lever is settled; alone,
    its first seeds call a drift."""
    base = excursion(seed=3)
    more = table(seeds=40, seed=4)
    more["seed"] += 10
    baseline = pd.concat([base, more], ignore_index=True)
    lever = excursion(seed=5)  # the same excursion, the lever's own noise
    alone = trend_table(lever, from_year=3).set_index("outcome")
    assert alone.loc["memberships_per_adult", "status"] == "drifting"
    controlled = trend_table(lever, from_year=3, baseline=baseline).set_index("outcome")
    assert controlled.loc["memberships_per_adult", "status"] == "settled"
    assert (controlled["baseline_seeds"] == 50).all()
    assert confirmed_from_year(lever, None, first=3, baseline=baseline) == 3


def test_a_levers_own_drift_stays_drifting_against_its_baseline():
    baseline = table(seeds=30, seed=6)
    lever = table(drift="trust_mean", seed=7)
    t = trend_table(lever, from_year=3, baseline=baseline).set_index("outcome")
    assert t.loc["trust_mean", "status"] == "drifting"
    assert t.loc["trust_mean", "slope_ci_low"] > 0.02
    assert (t.drop(index="trust_mean")["status"] == "settled").all()


def test_a_baseline_on_the_same_seeds_only_is_the_plain_judgement():
    """Known on no more seeds than the lever's, the control adds nothing: the estimate and its
    interval are the lever's own; a baseline missing some of the lever's seeds is not used."""
    lever = excursion(seed=8)
    plain = trend_table(lever, from_year=3)
    same = trend_table(lever, from_year=3, baseline=table(seed=9))
    cols = ["slope_share_of_mean", "slope_ci_low", "slope_ci_high", "status"]
    pd.testing.assert_frame_equal(plain[cols], same[cols])
    short = trend_table(lever, from_year=3, baseline=table(seeds=5, seed=9))
    pd.testing.assert_frame_equal(plain[cols], short[cols])
    assert (short["baseline_seeds"] == 0).all()


def test_yearly_runs_tally_the_daily_columns_the_daily_table_would_give():
    """The yearly runs keep no daily table: their daily columns (the last day's levels, the
    year's flows) are tallied day by day (outcomes.tally) and must equal what the daily
    table of the same run gives."""
    import pytest

    from sim import outcomes
    from sim.model import CoGovModel
    from sim.study.stationarity import DAILY_LEVELS, FLOWS, yearly_runs
    kw = {"population.residents_per_community": 600, "run.spin_up_days": 30}
    got, _ = yearly_runs("scenarios/five_governance.yaml", 600, 2, [3], overrides=kw)
    m = CoGovModel("scenarios/five_governance.yaml", rng=3, **kw, **{"run.days": 730})
    m.run(730)
    ts = m.timeseries()
    assert ts["acts_organization"].sum() > 0 and ts["committee_self_governance_hours"].sum() > 0
    for year in (1, 2):
        block = ts[(ts["day"] >= 365 * (year - 1)) & (ts["day"] < 365 * year)]
        row = got[got["year"] == year].iloc[0]
        for k in FLOWS:
            assert row[k] == float(block[k].sum()), k
        for k in DAILY_LEVELS:
            assert row[k] == float(block[k].iloc[-1]), k
    with pytest.raises(KeyError, match="participation_year.*tally gives"):
        outcomes.tally(m, ["participation_year"])
