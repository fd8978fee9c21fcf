"""cogov: an agent-based simulation of co-governance in urban Chinese communities (社区共治)."""

from __future__ import annotations

__all__ = ["CoGovModel", "Scenario", "ScenarioError", "load_scenario"]
__version__ = "0.1.0"

# Imported on first use, not with the package: a process that needs one light module of the
# package (the forkserver's death guard, sim.study._deathguard, which must act before
# anything else) does not wait seconds for the model and its compiled kernels.
_WHERE = {"CoGovModel": "model", "Scenario": "params", "ScenarioError": "config",
          "load_scenario": "config"}


def __getattr__(name: str):
    if name in _WHERE:
        from importlib import import_module
        value = getattr(import_module(f".{_WHERE[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
