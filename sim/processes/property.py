"""The property company (物业公司) of each community and satisfaction-linked payment (004).

Without the lever the company works at its ordinary level: environment and property needs
succeed with their handler's chance. Under ``transparency.satisfaction_linked_payment``
residents test the company's service every month (每月的测评结果): the test passes when at
least ``linked_payment_pass_share`` of the environment/property needs closed that month were
fulfilled. Each failed test withholds ``withheld_share`` of the quarter's payment
(季度款项是否全额拨付) and makes the company work harder: its ``effort`` (added to the success
chance of every environment/property need in the community, whoever handles it, since the
company does the work behind them) rises by ``linked_payment_effort_step``, up to
``linked_payment_success_gain``. A passed test leaves the effort where it is.

Community types (sim/communities.py) decide per community whether there is a company at all
(``population.property_company``; an urban village's collective manages itself: no tests, no
effort, no payment) and whether an owners' committee (业主委员会,
``population.owners_committee``) supervises it: the owners test the company monthly without
the lever too, and a failed test raises its effort as the street's does (Read 2003; Tomba
2014); the payment is withheld only under the lever. The quarterly fee is the community's own
(``transparency.property_fee_yuan_per_quarter`` of its type).
"""

from __future__ import annotations

import mesa
import numpy as np

from ..params import NEED_TYPES
from .base import Process

ENVIRONMENT = NEED_TYPES.index("environment")


class PropertyCompany(mesa.Agent):
    """One community's property management company."""

    def __init__(self, model, community: int):
        super().__init__(model)
        self.community = community
        own = model.community_params[community].population
        self.present = own.property_company  # (an urban village has none)
        self.owners_committee = own.owners_committee
        self.effort = 0.0  # added success chance of environment/property needs
        self.tests_passed = 0
        self.tests_failed = 0
        self.failed_this_quarter = 0
        self.withheld_yuan = 0.0
        self.paid_yuan = 0.0

    def start_reporting(self) -> None:
        """Day 0: the report's totals start from zero."""
        self.tests_passed = self.tests_failed = 0
        self.withheld_yuan = self.paid_yuan = 0.0

    def monthly_test(self, fulfilled: int, closed: int) -> None:
        """The residents' monthly satisfaction test of the company's service."""
        tr = self.model.p.transparency
        if closed == 0:
            return  # nothing to judge this month
        if fulfilled / closed >= tr.linked_payment_pass_share:
            self.tests_passed += 1
            return
        self.tests_failed += 1
        self.failed_this_quarter += 1
        self.effort = min(tr.linked_payment_success_gain, self.effort + tr.linked_payment_effort_step)

    def quarterly_payment(self) -> None:
        tr = self.model.p.transparency
        # the type's fee, paid by the households served (ODD 7.15)
        fee = (self.model.community_params[self.community].transparency.property_fee_yuan_per_quarter
               * self.model.household_factor[self.community])
        withheld = fee * min(1.0, tr.withheld_share * self.failed_this_quarter)
        self.withheld_yuan += withheld
        self.paid_yuan += fee - withheld
        self.failed_this_quarter = 0


def monthly(model) -> None:
    """Run each community's test on the environment/property needs closed in the last 30 days."""
    log = model.needs.log()
    recent = (log["closed"] > model.clock - 30) & (log["ntype"] == ENVIRONMENT) & (log["outcome"] != 2)
    n_c = model.pop.n_communities
    closed = np.bincount(log["community"][recent], minlength=n_c)
    fulfilled = np.bincount(log["community"][recent & (log["outcome"] == 1)], minlength=n_c)
    linked = model.p.transparency.satisfaction_linked_payment
    for company in model.property_companies:
        if company.present and (linked or company.owners_committee):
            company.monthly_test(int(fulfilled[company.community]), int(closed[company.community]))


def success_gain(model) -> np.ndarray:
    """Added success chance by (community, need type): the company's effort on its needs."""
    gain = np.zeros((model.pop.n_communities, len(NEED_TYPES)))
    for company in model.property_companies:
        gain[company.community, ENVIRONMENT] = company.effort
    return gain


class TransparencyAndProperty(Process):
    """Step 13: the transparency levers (ODD 7.12). At the month's end published affairs
    (居务公开, ``publish_affairs``) raise trust, and under satisfaction-linked payment
    residents test the property companies (:func:`monthly`); every 91 days each company's
    quarterly payment is settled (:meth:`PropertyCompany.quarterly_payment`)."""

    name = "transparency"
    sections = ("transparency",)

    def step(self) -> None:
        m = self.model
        tr, day = m.p.transparency, m.clock
        if m.calendar.month_end(day):
            if tr.publish_affairs:
                trust = m.pop.trust
                trust += tr.publish_trust_gain * (1 - trust)
            if tr.satisfaction_linked_payment or self.owners_test():
                monthly(m)
        if m.calendar.day_of_year(day) % 91 == 90:
            for company in m.property_companies:
                if tr.satisfaction_linked_payment and company.present:
                    company.quarterly_payment()
                else:  # owners' tests alone withhold nothing
                    company.failed_this_quarter = 0

    def owners_test(self) -> bool:
        """Whether an owners' committee tests a company somewhere (community types)."""
        return any(c.present and c.owners_committee for c in self.model.property_companies)

    def start_reporting(self) -> None:
        for company in self.model.property_companies:
            company.start_reporting()

    def results(self) -> dict:
        """The property companies' tests and payments since day 0 (satisfaction-linked
        payment) and their effort at the end."""
        pcs = self.model.property_companies
        return {"property_tests_failed": sum(c.tests_failed for c in pcs),
                "property_tests_passed": sum(c.tests_passed for c in pcs),
                "property_effort_mean": float(np.mean([c.effort for c in pcs])),
                "property_payment_withheld_yuan": float(sum(c.withheld_yuan for c in pcs))}

    def daily_costs(self) -> dict[str, float]:
        m = self.model
        tr = m.p.transparency
        return {"transparency": m.pop.n_communities * tr.cost_yuan_per_year * (1.0 / 365.0)
                * (tr.publish_affairs + tr.satisfaction_linked_payment)}
