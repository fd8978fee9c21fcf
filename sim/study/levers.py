"""The lever files a validation studies and the outcome each is for (shared by the report,
``sim/study/validate.py``, and its size-and-type scan, ``sim/study/scan.py``)."""

from __future__ import annotations

from pathlib import Path

SCEN = Path(__file__).resolve().parents[2] / "scenarios"
# the headline outcome of each lever file: what the lever is for
HEADLINE = {"lever_legal_mediation": "disputes_resolved_share", "lever_smart": "needs_fulfilled_share",
            "lever_purchased_services": "needs_fulfilled_share", "lever_transparency": "trust_mean",
            "lever_grid": "needs_reported_share", "lever_staffing_funding": "committee_self_governance_hours",
            "lever_duty_reduction": "committee_self_governance_hours",
            "lever_incubation": "organizations"}
