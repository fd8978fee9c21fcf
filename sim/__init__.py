"""cogov: an agent-based simulation of co-governance in urban Chinese communities (社区共治)."""

from .config import ScenarioError, load_scenario
from .model import CoGovModel
from .params import Scenario

__all__ = ["CoGovModel", "Scenario", "ScenarioError", "load_scenario"]
__version__ = "0.1.0"
