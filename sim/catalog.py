"""Every outcome of cogov, declared once: name, label, unit, kind, group and meaning.

The daily time series and the end-of-run summary record only names declared here
(:func:`check_declared` is called on both, so a misspelt key is an error, not a silent
column). The CLI's summary, ``cogov compare``'s table and figures, ``cogov report``'s
axis labels, the browser app and the ODD's outcome table read their labels and units from
this module.

Families of outcomes (one per act type, group, channel, ...) are declared with a pattern
and expanded here, so that adding a dispute channel adds its outcomes without a new line.

Why one long module: every outcome is declared here and nowhere else; the length is the declarations.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from dataclasses import dataclass

from .params import CHANNELS, DISPUTE_TYPES, NEED_TYPES, ORG_ORIGINS, ORG_TYPES  # noqa: F401  (names of families)
from .residents import ACT_TYPES, AGE_GROUPS, GROUPS

# kinds: how a value is read and printed
KINDS = {
    "share": "a share of 0-1, printed as a percentage",
    "count": "a whole number of things",
    "days": "a duration in days",
    "hours": "staff hours",
    "yuan": "money in yuan",
    "index": "a mean of a 0-1 resident state (trust, efficacy, ...)",
    "rate": "a number per unit (per 1,000 residents a year, per participant, ...)",
    "meta": "describes the run, not an outcome",
}

COMMITTEE_TASKS = ("duty", "mediation", "dispatch", "service", "deliberation", "org_support",
                   "volunteers")
STATES = ("trust", "efficacy", "satisfaction")
ACT_LABEL = {"meeting": "meetings", "volunteering": "volunteering",
             "organization": "organization activities", "evaluation": "evaluations"}
GROUP_LABEL = {"local": "locals", "migrant": "migrants", "working": "working-age",
               "retired": "retired", "party": "party members", "nonparty": "non-members"}
CHANNEL_LABEL = {"direct": "directly between the parties", "volunteer": "volunteer mediators",
                 "committee": "committee mediation", "professional": "professional mediator / lawyer",
                 "police": "community police", "online": "online mediation",
                 "street": "street and departments", "court": "court (诉讼)",
                 "deliberation": "deliberation"}
TASK_LABEL = {"duty": "pushed-down duties", "mediation": "mediation", "dispatch": "dispatching orders",
              "service": "serving needs", "deliberation": "deliberation",
              "org_support": "supporting organizations", "volunteers": "organizing volunteers"}
UNIT_OF_KIND = {"share": "%", "count": "", "days": "days", "hours": "hours", "yuan": "yuan",
                "index": "0-1", "rate": "", "meta": ""}


@dataclass(frozen=True)
class Outcome:
    """One declared outcome."""
    name: str
    label: str
    kind: str
    group: str
    meaning: str
    unit: str = ""
    where: str = "both"  # "summary", "daily" or "both"
    zh: str = ""         # the label in Chinese (the browser view's 中文), from LABEL_ZH
    meaning_zh: str = "" # the meaning in Chinese (a headline tile's hover), from MEANING_ZH

    @property
    def axis_label(self) -> str:
        """The label with its unit, for an axis."""
        unit = self.unit or UNIT_OF_KIND[self.kind]
        return f"{self.label} ({unit})" if unit else self.label

    def format(self, value) -> str:
        """The value as a table cell: shares as %, counts and yuan with thousands separators."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "n/a"
        if self.kind == "share":
            return f"{100 * value:.1f}%"
        if self.kind in ("count", "yuan", "meta"):
            return f"{int(round(value)):,}"
        if self.kind == "hours":
            return f"{value:,.0f}"
        return f"{value:,.2f}"

    def scale(self, value: float) -> float:
        """The value in the unit of :attr:`axis_label` (shares in %)."""
        return 100.0 * value if self.kind == "share" else value


OUTCOMES: dict[str, Outcome] = {}


def _d(name: str, label: str, kind: str, group: str, meaning: str, unit: str = "",
       where: str = "both") -> None:
    assert kind in KINDS, kind
    assert name not in OUTCOMES, f"outcome {name} declared twice"
    OUTCOMES[name] = Outcome(name, label, kind, group, meaning, unit, where)


def _table(group: str, rows, units: dict[str, str] | None = None) -> None:
    """Declare a family of outcomes from rows of (name, label, kind, meaning, where); the unit
    is ``days`` for kind days, else none, unless ``units`` names one."""
    for name, label, kind, meaning, where in rows:
        _d(name, label, kind, group, meaning,
           (units or {}).get(name, "days" if kind == "days" else ""), where)


# ------------------------------------------------------------------------------ run
_d("days", "days simulated", "meta", "run", "days simulated after the spin-up", "days", "summary")
_d("residents", "adult residents", "meta", "run", "adult residents in the run", where="summary")
_d("communities", "communities", "meta", "run", "communities in the run", where="summary")
_d("seed", "seed", "meta", "run", "the run's seed", where="summary")
_d("day", "day", "meta", "run", "day of the run (0 = the day the policy starts)", "days", "daily")

# ---------------------------------------------------------------------- participation
_d("participation_year", "took part in the last year", "share", "participation",
   "share of adults with any act (meeting, volunteering, organization activity, evaluation) in the last 365 days")
_d("participation_year_activities", "took part in a meeting, volunteering or a group (year)", "share",
   "participation", "share of adults with a meeting, volunteering or organization act in the last 365 "
   "days: what surveys of community activities count (evaluations apart), and what the published "
   "band of participation is of", where="summary")
_d("participation_30d", "took part in the last 30 days", "share", "participation",
   "share of adults with any act in the last 30 days")
for t in ACT_TYPES:
    _d(f"participation_year_{t}", f"{ACT_LABEL[t]} (year)", "share", "participation",
       f"share of adults with a {t} act in the last 365 days", where="summary")
    _d(f"participation_30d_{t}", f"{ACT_LABEL[t]} (30 days)", "share", "participation",
       f"share of adults with a {t} act in the last 30 days")
    _d(f"acts_{t}", f"{ACT_LABEL[t]}: acts today", "count", "participation",
       f"{t} acts booked today", where="daily")
for g in GROUPS:
    _d(f"participation_year_{g}", f"took part in the year: {GROUP_LABEL[g]}", "share", "participation",
       f"share of {GROUP_LABEL[g]} with any act in the last 365 days", where="summary")
    _d(f"participation_30d_{g}", f"took part in 30 days: {GROUP_LABEL[g]}", "share", "participation",
       f"share of {GROUP_LABEL[g]} with any act in the last 30 days")
for a in AGE_GROUPS:
    key = a.replace("-", "_").replace("+", "_plus")
    _d(f"participation_year_age_{key}", f"took part in the year: aged {a}", "share", "participation",
       f"share of adults aged {a} with any act in the last 365 days", where="summary")
_d("acts_year_total", "acts in the last year", "count", "participation",
   "acts of all residents in the last 365 days", where="summary")
_d("acts_per_participant_year", "acts per participant a year", "rate", "participation",
   "acts in the last year per resident with at least one", "acts/participant", "summary")
_d("acts_per_resident_day", "acts per resident a day", "rate", "participation",
   "acts in the last year per adult per day (bounded by the time budget)", "acts/adult/day", "summary")
_d("top10_share_of_acts", "top 10% share of acts", "share", "participation",
   "share of the last year's acts done by the most active 10% of adults")
_d("gini_of_acts", "Gini of acts", "index", "participation",
   "Gini coefficient of the last year's acts over adults", where="summary")
_d("core_activist_share", "core activists", "share", "participation",
   "share of adults with at least organizations.activist_acts acts in the last year", where="summary")
_d("core_activists_retired_share", "core activists who are retired", "share", "participation",
   "share of core activists aged 60+", where="summary")
_d("time_used_share_mean", "time budget used", "share", "participation",
   "mean over adults of the share of their weekly civic time budget taken by acts, memberships and offices")

# ------------------------------------------------------------------------ resident state
for s in STATES:
    _d(f"{s}_mean", f"{s} (mean)", "index", "residents", f"mean {s} of adults (0-1)")
    for g in GROUPS:
        _d(f"{s}_{g}", f"{s}: {GROUP_LABEL[g]}", "index", "residents", f"mean {s} of {GROUP_LABEL[g]}")

# ------------------------------------------------------------------------------- needs
_d("needs_raised", "needs raised", "count", "needs", "needs residents raised in the run", where="summary")
_d("needs_reported_share", "needs reported", "share", "needs",
   "share of raised needs that reached the committee", where="summary")
_d("needs_fulfilled_share", "needs fulfilled", "share", "needs",
   "share of closed individual needs that were fulfilled", where="summary")
_d("needs_to_public_issues", "needs aggregated into public issues", "count", "needs",
   "needs that became part of a public issue for deliberation", where="summary")
_d("needs_days_median", "needs: median days", "days", "needs",
   "median days from raising to fulfilment of fulfilled needs", "days", "summary")
_d("needs_wait_after_report_mean", "needs: mean wait after report", "days", "needs",
   "mean days from report to fulfilment", "days", "summary")
for h in ("org", "committee", "department"):
    _d(f"needs_handled_by_{h}", f"needs handled by {'organizations' if h == 'org' else h + 's' if h == 'department' else 'the committee'}",
       "count", "needs", f"needs dispatched to a {h}", where="summary")
_d("needs_open_end", "needs open at the end", "count", "needs", "needs still open at the end", where="summary")
_d("needs_reported", "needs reported today", "count", "needs", "needs reported today", where="daily")
_d("orders_dispatched", "orders dispatched today", "count", "needs", "orders dispatched today", where="daily")
_d("needs_fulfilled", "needs fulfilled today", "count", "needs", "needs fulfilled today", where="daily")
_d("needs_open", "open needs", "count", "needs", "needs open today", where="daily")

# ------------------------------------------------------------------------ deliberation
_table("deliberation", (
        ("meetings", "deliberation meetings", "count", "deliberation meetings held", "both"),
        ("hearings", "hearings", "count", "hearings held on collective issues", "summary"),
        ("meetings_skipped_no_hours", "meetings skipped (no staff hours)", "count",
         "scheduled meetings the committee had no hours for", "summary"),
        ("attendance_mean", "attendance per meeting", "rate", "mean attendees per meeting", "summary"),
        ("attendance_total", "meeting attendances", "count", "attendances over all meetings", "summary"),
        ("issues_raised", "public issues raised", "count", "public issues raised", "both"),
        ("issues_raised_collective", "collective issues raised", "count",
         "public issues raised by collective disputes", "summary"),
        ("issues_open", "public issues open", "count", "public issues not yet decided", "both"),
        ("issues_in_execution", "issues being carried out", "count", "passed issues being carried out", "daily"),
        ("issues_shelved", "issues shelved", "count", "issues shelved after too many sessions", "summary"),
        ("issues_rejected", "issues rejected", "count", "issues voted down", "summary"),
        ("issues_settled_outside", "issues settled outside deliberation", "count",
         "issues whose dispute was settled elsewhere", "summary"),
        ("proposals_passed", "proposals passed", "count", "proposals passed by vote", "both"),
        ("proposals_passed_collective", "collective proposals passed", "count",
         "proposals on collective issues passed", "summary"),
        ("votes_failed", "votes failed", "count", "votes that did not pass", "summary"),
        ("proposals_carried_out", "proposals carried out", "count", "passed proposals carried out", "both"),
        ("proposals_stalled", "proposals stalled", "count", "passed proposals that stalled", "summary"),
        ("days_issue_to_implementation_median", "days from issue to implementation (median)", "days",
         "median days from raising an issue to carrying it out", "summary"),
        ("days_issue_to_implementation_p90", "days from issue to implementation (90th pct)", "days",
         "90th percentile of days from raising an issue to carrying it out", "summary"),
        ("sessions_per_issue_max", "most sessions on one issue", "count", "most sessions an issue took", "summary"),
        ("sessions_per_collective_issue_mean", "sessions per collective issue", "rate",
         "mean sessions a collective issue took", "summary"),
        ("deliberation_sessions", "deliberation sessions today", "count", "sessions held today", "daily"),
        ("meeting_attendance", "meeting attendance today", "count", "attendees today", "daily")))
for who in ("committee", "organization", "department"):
    _d(f"proposals_carried_out_by_{who}", f"proposals carried out by {who}s" if who != "committee"
       else "proposals carried out by the committee", "count", "deliberation",
       f"passed proposals carried out by a {who}", where="summary")
for g in GROUPS:
    _d(f"attendance_{g}", f"attendances: {GROUP_LABEL[g]}", "count", "deliberation",
       f"meeting attendances by {GROUP_LABEL[g]}", where="summary")
    _d(f"attendance_share_{g}", f"share of attendances: {GROUP_LABEL[g]}", "share", "deliberation",
       f"share of meeting attendances by {GROUP_LABEL[g]}", where="summary")

# ---------------------------------------------------------------------------- disputes
_table("disputes", (
        ("disputes_opened", "disputes opened", "count", "neighbour disputes that arose", "both"),
        ("disputes_closed", "disputes closed", "count", "disputes closed, resolved or not", "summary"),
        ("disputes_resolved", "disputes resolved", "count", "disputes resolved", "both"),
        ("disputes_failed", "dispute attempts failed today", "count", "attempts that failed today", "daily"),
        ("disputes_resolved_share", "disputes resolved", "share", "share of the cohort (opened since day 0, at least disputes.cohort_horizon_days before the report's last day; ODD 7.9) resolved within the horizon", "summary"),
        ("disputes_unresolved_share", "disputes closed unresolved", "share",
         "share of the cohort (opened since day 0, at least disputes.cohort_horizon_days before the report's last day; ODD 7.9) closed unresolved within the horizon", "summary"),
        ("disputes_days_median", "disputes: median days", "days", "median days to resolution", "summary"),
        ("disputes_days_p90", "disputes: 90th percentile days", "days", "90th percentile of days to resolution", "summary"),
        ("disputes_same_day_share", "disputes resolved the same day", "share",
         "share of the cohort (opened since day 0, at least disputes.cohort_horizon_days before the report's last day; ODD 7.9) resolved the day they arose (调解矛盾不过夜)", "summary"),
        ("disputes_same_day_share_of_resolved", "same-day share of resolved", "share",
         "share of resolved disputes resolved the same day", "summary"),
        ("disputes_within_30d_share_of_resolved", "resolved within 30 days", "share",
         "share of resolved disputes resolved within 30 days", "summary"),
        ("disputes_escalated_share", "disputes escalated", "share",
         "share of the cohort (opened since day 0, at least disputes.cohort_horizon_days before the report's last day; ODD 7.9) that reached the street and departments within the horizon", "summary"),
        ("disputes_escalated", "disputes escalated today", "count", "disputes escalated today", "daily"),
        ("disputes_reported", "disputes reported", "count",
         "disputes reported by the parties or found by a grid worker (settled directly: not counted)", "summary"),
        ("disputes_same_day_of_report_share", "resolved the day reported", "share",
         "share of the cohort's disputes reported within the horizon resolved the day they were reported (调解矛盾不过夜)", "summary"),
        ("disputes_resolved_same_day", "disputes resolved the day they arose", "count",
         "disputes resolved the day they arose", "summary"),
        ("disputes_resolved_day_reported", "disputes resolved the day reported", "count",
         "reported disputes resolved the day they were reported", "summary"),
        ("disputes_resolved_within_30d", "disputes resolved within 30 days", "count",
         "disputes resolved within 30 days of arising", "summary"),
        ("disputes_reached_street", "disputes escalated to the street", "count",
         "opened disputes that reached the street and departments", "summary"),
        ("disputes_court", "disputes taken to court", "count",
         "disputes the parties took to court after the street could not settle them", "summary"),
        ("disputes_court_share", "disputes taken to court", "share",
         "share of the cohort (opened since day 0, at least disputes.cohort_horizon_days before the report's last day; ODD 7.9) that went on to court (诉讼) within the horizon", "summary"),
        ("disputes_court_fees_yuan", "court fees", "yuan",
         "acceptance fees the parties paid for the disputes they took to court", "summary"),
        ("disputes_detected", "disputes detected today", "count", "disputes reported or found today", "daily"),
        ("disputes_festering", "disputes festering", "count", "open disputes nobody seeks help for", "daily"),
        ("disputes_backlog", "disputes open", "count", "disputes open", "both"),
        ("disputes_festering_end", "disputes festering at the end", "count",
         "open disputes nobody seeks help for, at the end", "summary"),
        ("disputes_detected_share", "disputes detected", "share",
         "share of opened disputes reported, found or settled directly", "summary"),
        ("disputes_detect_days_mean", "days to detection", "days", "mean days to detection", "summary"),
        ("disputes_mediated", "disputes mediated", "count", "disputes that went to people's mediation", "summary"),
        ("disputes_mediated_per_1000_year", "mediated per 1,000 a year", "rate",
         "mediated disputes per 1,000 adults a year", "summary"),
        ("mediation_success_share", "mediation success", "share", "share of mediated disputes resolved", "summary"),
        ("disputes_queue_committee", "disputes waiting for the committee", "count",
         "disputes waiting for committee mediation today", "daily"),
        ("disputes_cohort", "disputes in the cohort", "count",
         "disputes opened since day 0 and at least disputes.cohort_horizon_days before the report's last day: "
         "the denominator of the dispute shares (ODD 7.9)", "summary"),
        ("disputes_cohort_resolved", "cohort: resolved", "count",
         "disputes of the cohort resolved within the horizon of their opening", "summary"),
        ("disputes_cohort_same_day", "cohort: resolved the day they arose", "count",
         "disputes of the cohort resolved the day they arose", "summary"),
        ("disputes_cohort_reported", "cohort: reported", "count",
         "disputes of the cohort reported or found within the horizon", "summary"),
        ("disputes_cohort_day_reported", "cohort: resolved the day reported", "count",
         "reported disputes of the cohort resolved the day they were reported", "summary"),
        ("disputes_cohort_escalated", "cohort: escalated", "count",
         "disputes of the cohort that reached the street within the horizon", "summary"),
        ("disputes_cohort_court", "cohort: taken to court", "count",
         "disputes of the cohort taken to court within the horizon", "summary"),
        ("disputes_km_days_median", "disputes: median days (Kaplan-Meier)", "days",
         "median days from opening to resolution of the disputes opened since day 0, a Kaplan-Meier "
         "estimate (open ones censored at the report's last day; NaN while fewer than half are resolved)",
         "summary"),
        ("disputes_km_resolved_30d_share", "disputes resolved within 30 days (Kaplan-Meier)", "share",
         "share of the disputes opened since day 0 resolved within 30 days of opening, a Kaplan-Meier "
         "estimate (open ones censored at the report's last day)", "summary")),
       units={"disputes_mediated_per_1000_year": "per 1,000 adults/year"})
for ch in CHANNELS + ("deliberation",):
    _d(f"disputes_resolved_by_{ch}", f"resolved: {CHANNEL_LABEL[ch]}", "count", "disputes",
       f"disputes resolved by {CHANNEL_LABEL[ch]}", where="summary")
    _d(f"disputes_resolved_{ch}", f"resolved today: {CHANNEL_LABEL[ch]}", "count", "disputes",
       f"disputes resolved today by {CHANNEL_LABEL[ch]}", where="daily")
for ch in CHANNELS[1:]:
    _d(f"disputes_taken_{ch}", f"cases taken: {CHANNEL_LABEL[ch]}", "count", "disputes",
       f"dispute attempts taken by {CHANNEL_LABEL[ch]}")
    _d(f"disputes_success_share_{ch}", f"success: {CHANNEL_LABEL[ch]}", "share", "disputes",
       f"share of attempts by {CHANNEL_LABEL[ch]} that resolved the dispute", where="summary")
    _d(f"disputes_{ch}_wait_days_mean", f"wait for {CHANNEL_LABEL[ch]}", "days", "disputes",
       f"mean days a case waited for {CHANNEL_LABEL[ch]}", "days", "summary")
    _d(f"disputes_{ch}_attempt_days_mean", f"attempt length: {CHANNEL_LABEL[ch]}", "days", "disputes",
       f"mean days from the start to the end of an attempt by {CHANNEL_LABEL[ch]} (finished attempts)",
       "days", "summary")
    _d(f"disputes_{ch}_queue_mean", f"queue at {CHANNEL_LABEL[ch]}", "rate", "disputes",
       f"mean cases waiting for {CHANNEL_LABEL[ch]} a day", "cases", "summary")
for t in DISPUTE_TYPES:
    tl = t.replace("_", " / ")
    _d(f"disputes_opened_{t}", f"disputes opened: {tl}", "count", "disputes", f"{tl} disputes opened")
    _d(f"disputes_resolved_{t}", f"disputes resolved: {tl}", "count", "disputes",
       f"{tl} disputes resolved (in the time series: today)")
    _d(f"disputes_resolved_share_{t}", f"resolved: {tl}", "share", "disputes",
       f"share of the cohort's {tl} disputes resolved within the horizon", where="summary")
    _d(f"disputes_cohort_{t}", f"cohort: {tl}", "count", "disputes",
       f"{tl} disputes of the cohort", where="summary")
    _d(f"disputes_cohort_resolved_{t}", f"cohort resolved: {tl}", "count", "disputes",
       f"{tl} disputes of the cohort resolved within the horizon", where="summary")
    _d(f"disputes_days_median_{t}", f"median days: {tl}", "days", "disputes",
       f"median days to resolve {tl} disputes", "days", "summary")
    _d(f"disputes_escalated_share_{t}", f"escalated: {tl}", "share", "disputes",
       f"share of the cohort's {tl} disputes escalated within the horizon", where="summary")
    _d(f"disputes_court_share_{t}", f"taken to court: {tl}", "share", "disputes",
       f"share of the cohort's {tl} disputes taken to court within the horizon", where="summary")
    _d(f"mediation_success_share_{t}", f"mediation success: {tl}", "share", "disputes",
       f"share of mediated {tl} disputes resolved", where="summary")

# ----------------------------------------------------------------------- organizations
_d("organizations", "organizations", "count", "organizations", "social organizations alive")
for t in ORG_TYPES:
    _d(f"organizations_{t}", f"organizations: {t}", "count", "organizations",
       f"{t} organizations alive", where="summary")
for o in ORG_ORIGINS:
    _d(f"organizations_origin_{o}", f"organizations founded as {o}", "count", "organizations",
       f"organizations alive whose origin is {o}", where="summary")
    _d(f"foundings_{o}", f"foundings: {o}", "count", "organizations",
       f"organizations founded in the run with origin {o}", where="summary")
_d("organizations_resident_founded", "resident-founded organizations", "count", "organizations",
   "organizations alive founded by residents (resident, grant or incubated)", where="summary")
_d("org_members", "organization memberships", "count", "organizations", "memberships over all organizations")
_d("memberships_per_adult", "memberships per adult", "rate", "organizations",
   "organization memberships per adult", "memberships/adult")
_d("residents_in_an_organization_share", "adults in an organization", "share", "organizations",
   "share of adults who are members of at least one organization", where="summary")
_d("org_services_delivered", "services delivered by organizations", "count", "organizations",
   "needs served by organizations", where="summary")
_d("org_activities", "organization activities", "count", "organizations",
   "activities held by organizations (today in the daily row)")
_d("dissolutions", "organizations dissolved", "count", "organizations",
   "organizations dissolved in the run", where="summary")
_d("grants_awarded", "grants awarded", "count", "organizations", "micro-venture grants awarded", where="summary")
_d("grant_projects_alive_after_year_share", "grant groups alive a year on", "share", "organizations",
   "share of groups founded by a grant at least a year ago that are still active", where="summary")

# --------------------------------------------------------------------------- committee
for t in COMMITTEE_TASKS:
    _d(f"committee_hours_{t}", f"committee hours: {TASK_LABEL[t]}", "hours", "committee",
       f"staff hours on {TASK_LABEL[t]} (today in the daily row, in the run in the summary)")
_d("committee_self_governance_hours", "committee self-governance hours", "hours", "committee",
   "staff hours on self-governance work (everything but pushed-down duties)")
_d("committee_duty_share", "committee hours on pushed-down duties", "share", "committee",
   "share of the committee's staff hours spent on pushed-down duties", where="summary")
_d("committee_duty_hours_dropped", "duty hours left undone", "hours", "committee",
   "hours of pushed-down duties the committee triaged away (left undone or late)")
_d("duty_items", "pushed-down duty items", "count", "committee",
   "duty items on the committee today", where="daily")
_d("duty_items_end", "pushed-down duty items at the end", "count", "committee",
   "duty items on the committee at the end", where="summary")
_d("volunteer_tasks", "volunteer tasks offered today", "count", "committee",
   "volunteer tasks the committee organized today", where="daily")
_d("grid_visits", "grid visits", "count", "grid", "household visits by grid workers")
_d("party_invitations", "party invitations", "count", "party", "invitations sent by party members")
_d("org_invitations", "organization invitations", "count", "organizations",
   "guests brought to activities by members", where="summary")

# ------------------------------------------------------------------------ property
_d("property_tests_failed", "property satisfaction tests failed", "count", "property",
   "monthly satisfaction tests the property company failed", where="summary")
_d("property_tests_passed", "property satisfaction tests passed", "count", "property",
   "monthly satisfaction tests the property company passed", where="summary")
_d("property_effort_mean", "property company effort", "index", "property",
   "mean effort of property companies", where="summary")
_d("property_payment_withheld_yuan", "property payment withheld", "yuan", "property",
   "property fees withheld for failed tests", "yuan", "summary")

# ------------------------------------------------------------------------------ money
SPEND_LINES = ("staffing", "office_support", "duty_list_funding", "electronic_ledgers", "grid",
               "grants", "purchased_services", "incubation", "legal", "transparency", "moral",
               "smart", "deliberation", "party_service")
for k in SPEND_LINES:
    _d(f"spend_{k}", f"spent: {k.replace('_', ' ')}", "yuan", "money", f"yuan spent on {k.replace('_', ' ')}",
       "yuan", "summary")
_d("spend_total", "spent (yuan)", "yuan", "money", "yuan spent on every lever", "yuan")

# derived in comparisons (not recorded by a run)
_d("participants_year", "residents who took part (year)", "count", "participation",
   "participation_year x residents (added by compare)", where="derived")
_d("cost_per_additional_participant", "cost per additional participant", "yuan", "money",
   "extra spend divided by extra residents who took part (compare)", "yuan", "derived")
# dispute shares pooled over replications (compare): the cases of every replication summed,
# then divided (a year's share in one community rests on a few dozen cases; pooled, on
# hundreds), with a paired bootstrap interval over the replications. Pooled key: (numerator,
# denominator), both counts of the run's summary; the key is the per-run share's + "_pooled".
POOLED_SHARES = {
    # the shares of disputes pool the replications' cohorts (ODD 7.9)
    "disputes_resolved_share_pooled": ("disputes_cohort_resolved", "disputes_cohort"),
    "disputes_same_day_share_pooled": ("disputes_cohort_same_day", "disputes_cohort"),
    "disputes_same_day_of_report_share_pooled": ("disputes_cohort_day_reported", "disputes_cohort_reported"),
    "disputes_within_30d_share_of_resolved_pooled": ("disputes_resolved_within_30d", "disputes_resolved"),
    "disputes_escalated_share_pooled": ("disputes_cohort_escalated", "disputes_cohort"),
    "disputes_court_share_pooled": ("disputes_cohort_court", "disputes_cohort"),
    **{f"disputes_resolved_share_{t}_pooled": (f"disputes_cohort_resolved_{t}", f"disputes_cohort_{t}")
       for t in DISPUTE_TYPES},
}
for _k, (_num, _den) in POOLED_SHARES.items():
    _d(_k, f"{OUTCOMES[_k.removesuffix('_pooled')].label} (pooled)", "share", "disputes",
       f"{_num} / {_den}, each summed over the replications "
       "(compare); interval by a paired bootstrap over the replications", where="derived")
_d("cost_per_additional_dispute_resolved", "cost per additional dispute resolved", "yuan", "money",
   "extra spend divided by extra disputes resolved (compare)", "yuan", "derived")


# ------------------------------------------------------------------ headline selections
# the key outcomes shown by `cogov compare`, the browser's headline and the forest plot
KEY_OUTCOMES = ("participation_year", "participation_30d", "participation_year_meeting",
                "participation_year_volunteering", "participation_year_organization",
                "disputes_resolved_share", "disputes_days_median", "disputes_same_day_share",
                "disputes_same_day_of_report_share", "disputes_escalated_share", "disputes_court_share",
                "needs_fulfilled_share", "needs_days_median",
                "organizations", "committee_self_governance_hours", "trust_mean",
                "efficacy_mean", "spend_total")
# time-series columns drawn by compare and the app
# ---------------------------------------------------------- volunteer teams (ODD 7.17)
for src in ("invitation", "task", "team"):
    _d(f"volunteering_acts_{src}", f"volunteering acts from {src}s", "count", "volunteering",
       f"volunteering acts since day 0 that came from a {src} (party invitation, offered task, team duty)",
       where="summary")
_table("volunteering", [
    ("volunteering_invitation_share", "volunteering from invitations", "share",
     "share of volunteering acts since day 0 by residents a party member invited that day", "summary"),
    ("volunteers", "volunteers", "count", "residents who volunteered at least once since day 0", "summary"),
    ("volunteering_acts_per_volunteer", "volunteering acts per volunteer", "rate",
     "volunteering acts since day 0 per resident who volunteered", "summary"),
    ("volunteer_teams", "volunteer teams", "count", "volunteer teams (志愿服务队) kept", "summary"),
    ("team_members", "team members", "count", "residents on a volunteer team's roster at the end", "summary"),
    ("team_members_migrant_share", "team members: migrants", "share",
     "share of migrants among team members at the end", "summary"),
    ("team_duty_calls", "duty calls", "count", "calls of rostered members to team duties since day 0", "summary"),
    ("team_joins", "team joins", "count", "residents who joined a volunteer team since day 0", "summary"),
    ("team_leaves", "team leaves", "count", "members who left a team after missing calls since day 0", "summary"),
    ("team_member_hours_year", "duty hours per team member", "rate",
     "hours a year a team member gives on duties (T: 13.85 h per registered volunteer)", "summary"),
], units={"team_member_hours_year": "hours/year", "volunteering_acts_per_volunteer": "acts/volunteer"})

# --------------------------------------------------------- tenure and migrants (ODD 7.16)
_table("migrants", [
    ("renter_share", "renters", "share", "share of adults whose household rents its home", "summary"),
    ("tenure_moves_per_year", "households moving a year", "rate", "renter households that moved out a year since day 0", "summary"),
    ("tenure_movers_share_year", "residents moving a year", "share", "residents who moved out a year, as a share of adults", "summary"),
    ("ties_mean_renters", "ties: renters", "rate", "mean ties of renters at the end", "summary"),
    ("ties_mean_owners", "ties: owners", "rate", "mean ties of owner-occupiers at the end", "summary"),
    ("tenure_years_mean_renters", "tenure: renters", "rate", "mean years renters have lived here", "summary"),
    ("tenure_years_mean_owners", "tenure: owners", "rate", "mean years owner-occupiers have lived here", "summary"),
    ("memberships_mean_renters", "memberships: renters", "rate", "mean organization memberships of renters", "summary"),
    ("memberships_mean_owners", "memberships: owners", "rate", "mean organization memberships of owner-occupiers", "summary"),
], units={"ties_mean_renters": "ties", "ties_mean_owners": "ties", "tenure_years_mean_renters": "years",
          "tenure_years_mean_owners": "years", "memberships_mean_renters": "memberships/adult",
          "memberships_mean_owners": "memberships/adult", "tenure_moves_per_year": "households/year"})


KEY_SERIES = ("participation_30d", "participation_year", "committee_self_governance_hours",
              "disputes_backlog", "organizations", "trust_mean")


# the labels in Chinese of the outcomes the browser view shows (the headline, its charts and
# the spending lines); every outcome the app shows has one (tests/test_app.py)
LABEL_ZH = {
    "participation_year": "过去一年参与过", "participation_30d": "过去30天参与过",
    "participation_year_meeting": "参加会议（一年）",
    "participation_year_volunteering": "志愿服务（一年）",
    "participation_year_organization": "组织活动（一年）",
    "participation_year_evaluation": "参与评议（一年）",
    "participation_year_activities": "一年内参加会议、志愿服务或组织活动",
    "disputes_resolved_share": "纠纷化解率", "disputes_days_median": "纠纷化解天数中位数",
    "disputes_same_day_share": "当天化解的纠纷", "disputes_same_day_of_report_share": "报告当天化解",
    "disputes_escalated_share": "上交街道和部门的纠纷", "disputes_court_share": "诉讼的纠纷",
    "needs_fulfilled_share": "需求满足率", "needs_days_median": "需求满足天数中位数",
    "organizations": "社区社会组织", "committee_self_governance_hours": "居委会自治工作时长",
    "trust_mean": "信任（均值）", "efficacy_mean": "效能感（均值）", "spend_total": "支出（元）",
    "disputes_backlog": "未结纠纷",
    "participation_year_local": "一年内参与：本地居民", "participation_year_migrant": "一年内参与：流动人口",
    "participation_year_working": "一年内参与：在职年龄", "participation_year_retired": "一年内参与：退休",
    "participation_year_party": "一年内参与：党员", "participation_year_nonparty": "一年内参与：非党员",
    "participation_year_age_18_29": "一年内参与：18-29岁", "participation_year_age_30_49": "一年内参与：30-49岁",
    "participation_year_age_50_59": "一年内参与：50-59岁", "participation_year_age_60_plus": "一年内参与：60岁以上",
    "spend_staffing": "支出：人员", "spend_office_support": "支出：办公经费资助",
    "spend_duty_list_funding": "支出：职责清单经费", "spend_electronic_ledgers": "支出：电子台账",
    "spend_grid": "支出：网格", "spend_grants": "支出：微创投", "spend_purchased_services": "支出：购买服务",
    "spend_incubation": "支出：孵化", "spend_legal": "支出：法律服务", "spend_transparency": "支出：公开",
    "spend_moral": "支出：德治", "spend_smart": "支出：智慧治理",
    "spend_deliberation": "支出：议事协商", "spend_party_service": "支出：党员服务",
    # the rows of the replications' table (compare's derived outcomes)
    "participants_year": "一年内参与的居民（人）",
    "cost_per_additional_participant": "每增加一名参与者的成本（一年）",
    "cost_per_additional_dispute_resolved": "每多化解一件纠纷的成本",
    "disputes_within_30d_share_of_resolved": "30天内化解的纠纷（占已化解）",
    **{f"disputes_resolved_share_{t}": f"纠纷化解率：{z}" for t, z in (
        ("noise_leak", "噪音漏水"), ("parking", "停车"), ("pets", "宠物"),
        ("renovation_property", "装修和物业"), ("family", "家庭"), ("collective", "群体"))},
}
# each headline tile's definition (its hover) in Chinese, beside the English ``meaning``;
# the spending lines' definitions are made from their labels (as their English ones are)
_COHORT_ZH = "自第0天起发生、且在报告最后一天之前至少 disputes.cohort_horizon_days 天的纠纷（ODD 7.9）中"
MEANING_ZH = {
    "participation_year": "过去365天内有任何参与行为（会议、志愿服务、组织活动、评议）的成年人比例",
    "participation_30d": "过去30天内有任何参与行为的成年人比例",
    "participation_year_meeting": "过去365天内参加过会议的成年人比例",
    "participation_year_volunteering": "过去365天内参加过志愿服务的成年人比例",
    "participation_year_organization": "过去365天内参加过组织活动的成年人比例",
    "disputes_resolved_share": _COHORT_ZH + "在期限内化解的比例",
    "disputes_days_median": "纠纷从发生到化解的天数中位数",
    "disputes_same_day_share": _COHORT_ZH + "当天化解的比例（调解矛盾不过夜）",
    "disputes_same_day_of_report_share": "期限内报告的纠纷中在报告当天化解的比例（调解矛盾不过夜）",
    "disputes_escalated_share": _COHORT_ZH + "在期限内上交街道和部门的比例",
    "disputes_court_share": _COHORT_ZH + "在期限内进入诉讼的比例",
    "needs_fulfilled_share": "已关闭的个人需求中得到满足的比例",
    "needs_days_median": "得到满足的需求从提出到满足的天数中位数",
    "organizations": "存续的社区社会组织数",
    "committee_self_governance_hours": "居委会工作人员用于自治工作（下沉事项以外的一切工作）的时长",
    "trust_mean": "成年人的平均信任（0-1）",
    "efficacy_mean": "成年人的平均效能感（0-1）",
    "spend_total": "所有杠杆的支出合计（元）",
    "disputes_backlog": "尚未了结的纠纷数",
}

UNIT_OF_KIND_ZH = {"share": "%", "count": "", "days": "天", "hours": "小时", "yuan": "元",
                   "index": "0-1", "rate": "", "meta": ""}
for _k, _zh in LABEL_ZH.items():
    OUTCOMES[_k] = dataclasses.replace(OUTCOMES[_k], zh=_zh)
for _k in OUTCOMES:
    if _k.startswith("spend_") and _k != "spend_total" and _k in LABEL_ZH:
        MEANING_ZH.setdefault(_k, f"用于{LABEL_ZH[_k].removeprefix('支出：')}的支出（元）")
for _k, _zh in MEANING_ZH.items():
    OUTCOMES[_k] = dataclasses.replace(OUTCOMES[_k], meaning_zh=_zh)


class UndeclaredOutcome(KeyError):
    """An outcome was recorded that :mod:`sim.catalog` does not declare."""


def get(name: str) -> Outcome:
    """The declaration of ``name``; :class:`UndeclaredOutcome` if there is none."""
    try:
        return OUTCOMES[name]
    except KeyError:
        raise UndeclaredOutcome(f"outcome {name!r} is not declared in sim/catalog.py") from None


def label(name: str) -> str:
    """A human label for ``name`` (the name itself for an undeclared key, e.g. a parameter)."""
    o = OUTCOMES.get(name)
    return o.label if o else name


def axis_label(name: str) -> str:
    o = OUTCOMES.get(name)
    return o.axis_label if o else name


def check_declared(keys, where: str) -> None:
    """Raise :class:`UndeclaredOutcome` naming every key of ``keys`` not declared for ``where``
    ("summary" or "daily")."""
    bad = [k for k in keys if k not in OUTCOMES or OUTCOMES[k].where not in (where, "both")]
    if bad:
        raise UndeclaredOutcome(f"{where} outcomes not declared in sim/catalog.py: {bad}")


class DeclaredCounter(Counter):
    """A Counter of declared keys only: counting, setting or reading an undeclared key (a
    misspelling) raises :class:`UndeclaredOutcome` instead of making a silent zero column.
    The model's ``today`` counts are one (keys: ``sim.outcomes.COUNTER_KEYS``)."""

    def __init__(self, keys, where: str):
        super().__init__()
        self.keys_declared = frozenset(keys)
        self.where = where

    def _check(self, key) -> None:
        if key not in self.keys_declared:
            raise UndeclaredOutcome(f"{self.where}: {key!r} is not a declared daily counter "
                                    f"(sim/outcomes.py COUNTER_KEYS)")

    def __missing__(self, key):
        self._check(key)
        return 0

    def __setitem__(self, key, value) -> None:
        # the check inline and dict's own store: the model counts into it some thirty
        # times a day, and two Python calls were most of each count's cost
        if key not in self.keys_declared:
            self._check(key)
        dict.__setitem__(self, key, value)

    def __reduce__(self):  # pickles (sweep workers, checkpoints) with its declared keys
        return (_declared_counter, (tuple(sorted(self.keys_declared)), self.where, dict(self)))


def _declared_counter(keys, where, items) -> DeclaredCounter:
    out = DeclaredCounter(keys, where)
    for k, v in items.items():
        out[k] = v
    return out
