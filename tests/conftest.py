"""Shared fixtures: small scenarios that run in a fraction of a second."""

import pytest

from sim.params import Scenario


def pytest_configure(config):
    """The tests' spin-up cache is a folder of their own, new for each session: tests share
    spin-ups with each other (and with the commands they start, which inherit the setting),
    never with the user's cache or an earlier session's."""
    import os
    import tempfile
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # a worker of `pytest -n`: it inherits the controller's folder (made below, before the
        # workers start; removed by the controller), so the workers share spin-ups too
        return
    if not os.environ.get("COGOV_TEST_KEEP_CACHE_DIR"):
        os.environ["COGOV_CACHE_DIR"] = tempfile.mkdtemp(prefix="cogov-test-spinup-")
        config._cogov_cache_dir = os.environ["COGOV_CACHE_DIR"]


def pytest_unconfigure(config):
    import shutil
    folder = getattr(config, "_cogov_cache_dir", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


def pytest_sessionstart(session):
    """Compile the model's kernels before any test starts worker processes, so that the
    workers load them from numba's cache instead of each compiling them (``make setup``
    has usually done this already; then it only loads them)."""
    import os
    if os.environ.get("NUMBA_DISABLE_JIT") == "1":  # nothing to compile (the kernels run as Python)
        return
    from sim.model import warm_up
    warm_up()

# whole modules in the slow tier (pytest -m "not slow" leaves them out; README, Tests): the
# browser tests start an app server and Chromium
SLOW_MODULES = ("test_app_browser.py",)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


# mechanism tests start from a fresh community (no spin-up): the spin-up and the settling
# have their own tests (tests/test_dynamics.py)
SMALL = {"population": {"residents_per_community": 1500}, "run": {"days": 120, "spin_up_days": 0}}


def small(**sections) -> Scenario:
    """The baseline at 1,500 residents and 120 days, with section overrides merged in."""
    data = {k: dict(v) for k, v in SMALL.items()}
    for sec, vals in sections.items():
        data.setdefault(sec, {}).update(vals)
    return Scenario.model_validate(data)


@pytest.fixture
def small_scenario():
    return small()
