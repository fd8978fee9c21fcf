"""Deliberation (议事协商) in the seven steps of seed 004 (七步议事法):
collect, review, resolve, publicize, execute under supervision, evaluate, archive.

- Collect: public issues arise from shared needs (every ``public_issue_threshold`` of them from
  one grid; later shared needs of a grid join its issue while it waits) and from collective
  disputes (:mod:`sim.processes.disputes`).
- Review: an issue becomes eligible after ``stage_days_review`` days.
- Resolve: scheduled meetings are held ``meetings_per_year`` times, evenly spaced, if the
  committee has ``hours_per_meeting`` free; they take the ``issues_per_meeting`` eligible
  issues that affect the most households (oldest first among equals). Who is notified of each
  issue depends on the format (council: invited representatives plus half of the affected
  grid; open space: a third of the community; hearing: the affected grid; courtyard: the
  affected building, or the grid when the issue has no building). Attendance is the residents'
  participation decision (invited representatives, party members and organization delegates
  get the invitation term). Each attendee notified of an issue votes yes with probability
  clip(N(support, contest_sd)); the issue passes if the yes share reaches the rule (majority
  1/2, two thirds 2/3, consensus 0.9). A failed issue returns to the next session with
  support moved ``convergence_per_session`` of the way towards full agreement (deliberation
  narrows a contest); after ``max_sessions`` it is rejected, and an issue never taken up
  within ``issue_shelf_days`` is shelved (a collective issue too, if it never had a session:
  its dispute then goes on to the channels).
- Contested collective issues get their own sessions every ``contested_session_days`` (seed
  004: 170 households, 20+ meetings in a year): a hearing of the affected households, or a
  courtyard show-of-hands when they all live in one building, with the representatives of
  the affected grids (``hearing_representatives``: the hearing follows the dispute, not the
  community's size), each costing
  ``hours_per_meeting`` of committee time; their support starts low and converges more slowly
  (``contested_convergence``). Without a deliberation platform (zero meetings a year) there
  are no sessions of either kind.
- Publicize: ``stage_days_publicize`` days; the notice of a passed proposal moves the
  community's trust towards 1 by ``deliberation.publicize_trust_gain``.
- Execute: a passed proposal waits until an executor takes it. A collective issue goes to
  the functional departments (街道吹哨、部门报到), which carry out at most
  ``department_slots`` proposals of a community at once, each in Exp(``department_execution_days``)
  days. A needs issue goes to a public-interest organization of the community (environment /
  property self-management or charity) that is not carrying out another, which needs
  Exp(``execution_days``) days and succeeds with its own success chance; failing that, to
  the committee, which carries out at most ``execution_slots`` at once, needs
  Exp(``execution_days``) working days and counts a day only in proportion to the
  ``execution_hours_per_day`` of free staff time it can give the proposal that day (so
  pushed-down duties slow implementation). The committee and departments carry a proposal
  out with chance ``execution_success``; every executor gains +0.1 under transparency's
  supervision. Otherwise the proposal stalls. A carried-out collective issue resolves its
  dispute.
- Evaluate: ``stage_days_evaluate`` days; the affected grid's residents evaluate (a
  participation opportunity); attendees' efficacy moves towards 1 (carried out) or 0
  (stalled); the affected residents' satisfaction moves likewise.
- Archive: the issue is closed and logged.

Why one long module: the seven steps of one issue (collect, review, resolve, publicize, execute, evaluate, archive) form one rule that reads best in one place.
"""

from __future__ import annotations

import numpy as np

from .base import Process
from .migrants import notice_reached  # migrants hear of meetings less, and through ties (ODD 7.16)
from .participation import decide, update_efficacy, update_satisfaction, update_trust, would_take_part
from ..residents import ACT_TYPES, GROUPS

ORG_ACT = ACT_TYPES.index("organization")

RULE = {"majority": 0.5, "two_thirds": 2 / 3}  # consensus: deliberation.consensus_share
EXECUTORS = ("committee", "organization", "department")
#: organizations that carry out public-needs proposals (public-interest work)
PUBLIC_WORK_ORGS = ("environment", "charity")
# stages
REVIEW, ON_AGENDA, PUBLICIZE, QUEUED, EXECUTE, EVALUATE, DONE = range(7)
#: per-day deliberation columns of the time series (read by :mod:`sim.outcomes`)
TIMESERIES = ("deliberation_sessions", "meeting_attendance", "issues_open", "issues_in_execution")


class Issue:
    __slots__ = ("community", "grid", "origin", "raised", "support", "stage", "sessions",
                 "stage_until", "attendees", "passed_day", "households", "building", "uid",
                 "affected", "dispute", "next_session", "closed", "implemented", "carried",
                 "executor", "org", "work_left")

    def __init__(self, community, grid, origin, raised, support, households, building=-1):
        self.community, self.grid, self.origin = community, grid, origin
        self.raised, self.support, self.households = raised, support, households
        self.building = building
        self.stage, self.sessions, self.stage_until = REVIEW, 0, raised
        self.attendees = np.empty(0, np.int64)
        self.passed_day = -1
        self.affected = None  # residents directly affected (collective disputes)
        self.dispute = None
        self.next_session = raised
        self.closed = False
        self.implemented = -1
        self.carried = False
        self.executor = None  # "committee", "organization" or "department" once taken
        self.org = None       # the organization carrying it out
        self.work_left = 0.0  # working days left


class Deliberation(Process):
    """Public issues and meetings of every community of the run."""
    name, sections = "deliberation", ("deliberation",)
    records = ("meetings", "proposals_passed", "proposals_carried_out", "issues_raised") + TIMESERIES
    state = ("next_uid", "issues", "pending_needs", "waiting_issue", "prep_hours", "meeting_days",
             "archive", "meetings", "hearings", "meetings_skipped", "attendance",
             "attendance_by_group", "proposals_passed", "proposals_passed_by_origin",
             "proposals_failed_votes", "carried_out", "stalled", "carried_out_by")
    hands_to = ("disputes",)

    def __init__(self, model):
        self.model = model
        self.issues: list[Issue] = []
        self.next_uid = 0
        self.archive: list[dict] = []
        n_c = model.pop.n_communities
        self.pending_needs = np.zeros((n_c, model.n_grids_max), np.int64)
        self.waiting_issue: dict[tuple[int, int], Issue] = {}  # (community, grid) -> needs issue
        self.set_meeting_days()
        self._zero_counters()
        # hours each committee has already put into preparing its next session
        self.prep_hours = np.zeros(n_c)

    def set_meeting_days(self) -> None:
        """Evenly spaced meeting days of the year, the first a little after its start."""
        k = self.model.p.deliberation.meetings_per_year
        self.meeting_days = set(int(round((i + 0.5) * 365 / k)) for i in range(k)) if k else set()

    def regrid(self) -> None:
        """The grid lever changed the grids: needs pooled below the threshold start again."""
        self.pending_needs = np.zeros((self.model.pop.n_communities, self.model.n_grids_max), np.int64)
        self.waiting_issue = {}

    def start_reporting(self) -> None:
        """Day 0: the archive and counters start from zero; open issues carry on."""
        self.archive = []
        self._zero_counters()

    def _zero_counters(self) -> None:
        self.meetings = 0
        self.hearings = 0
        self.meetings_skipped = 0
        self.attendance: list[int] = []
        self.attendance_by_group = dict.fromkeys(GROUPS, 0)
        self.proposals_passed = 0
        self.proposals_passed_by_origin = {"needs": 0, "collective": 0}
        self.proposals_failed_votes = 0
        self.carried_out = 0
        self.stalled = 0
        self.carried_out_by = dict.fromkeys(EXECUTORS, 0)

    # ------------------------------------------------------------------------ collect
    def add_needs(self, communities: np.ndarray, grids: np.ndarray) -> None:
        pending = self.pending_needs
        for c, g in zip(communities.tolist(), grids.tolist()):
            pending[c, g] += 1
        thr = self.model.p.needs.public_issue_threshold
        pd = self.model.p.deliberation
        per = thr * pd.households_per_shared_need  # households a pooled issue stands for
        rng = self.model.streams.deliberation
        # every pool is below the threshold between calls: only the pools added to can reach
        # it (taken in (community, grid) order)
        for c, g in sorted(set(zip(communities.tolist(), grids.tolist()))):
            if pending[c, g] < thr:
                continue
            n = int(self.pending_needs[c, g] // thr)
            self.pending_needs[c, g] -= n * thr
            waiting = self.waiting_issue.get((c, g))
            if waiting is not None and waiting.stage in (REVIEW, ON_AGENDA):
                waiting.households += n * per  # more neighbours share the waiting issue
                continue
            issue = self.new_issue(c, g, "needs", rng.normal(pd.needs_issue_support, pd.issue_support_sd),
                                   households=n * per)
            self.waiting_issue[(c, g)] = issue

    def new_issue(self, community: int, grid: int, origin: str, support: float,
                  households: int, building: int = -1, affected: np.ndarray | None = None) -> Issue:
        issue = Issue(community, grid, origin, self.model.clock, float(np.clip(support, self.model.p.deliberation.support_min,
                                                                     self.model.p.deliberation.support_max)),
                      households, building)
        issue.affected = affected
        issue.stage_until = self.model.clock + self.model.p.deliberation.stage_days_review
        issue.next_session = issue.stage_until
        issue.uid = self.next_uid
        self.next_uid += 1
        self.issues.append(issue)
        self.model.today["issues_raised"] += 1
        return issue

    # ---------------------------------------------------------------------- the day
    def step(self) -> None:
        m = self.model
        day = m.clock
        pd = m.p.deliberation
        rng = m.streams.deliberation
        for issue in self.issues:
            if issue.stage == REVIEW and day >= issue.stage_until:
                issue.stage = ON_AGENDA
        if pd.meetings_per_year > 0:
            self.prepare()
            # contested collective issues: their own hearing / courtyard sessions
            for issue in self.issues:
                if issue.stage == ON_AGENDA and issue.origin == "collective" and day >= issue.next_session:
                    self.contested_session(issue)
            if m.calendar.day_of_year(day) in self.meeting_days:
                for c in range(m.pop.n_communities):
                    self.meeting(c)
        # shelving and the executors' loads in one pass (shelving archives an issue on the
        # agenda, which touches no issue in execution); the loads as Python lists (a few
        # communities)
        busy = {ex: [0] * m.pop.n_communities for ex in ("committee", "department")}
        busy_orgs = set()
        for issue in self.issues:
            # a collective issue that never got a session (no free hours to convene one) is
            # shelved too: its dispute then goes on to the channels instead of waiting for ever
            if issue.stage == ON_AGENDA and (issue.origin != "collective" or issue.sessions == 0) \
                    and day - issue.raised >= pd.issue_shelf_days:
                self._archive(issue, "shelved")
            elif issue.stage == EXECUTE:
                if issue.executor == "organization":
                    busy_orgs.add(issue.org.unique_id)
                else:
                    busy[issue.executor][issue.community] += 1
        # only issues publicized, queued, in execution or in evaluation move on below (and
        # the loop moves none into these stages but the issue at hand): the others are not
        # sorted
        passed = [i for i in self.issues if PUBLICIZE <= i.stage <= EVALUATE]
        for issue in sorted(passed, key=lambda i: (i.passed_day, i.uid)):
            if issue.stage == PUBLICIZE and day >= issue.stage_until:
                issue.stage = QUEUED
            if issue.stage == QUEUED:
                self._assign_executor(issue, busy, busy_orgs, rng)
            if issue.stage == EXECUTE:
                self._work(issue)
                if issue.work_left <= 0:
                    self.execute(issue)
            elif issue.stage == EVALUATE and day >= issue.stage_until:
                self.evaluate(issue)
        kept, executing = [], 0
        for i in self.issues:
            if i.stage != DONE:
                kept.append(i)
                executing += i.stage == EXECUTE
        if len(kept) < len(self.issues):
            self.issues = kept
        m.today["issues_open"] = len(self.issues)
        m.today["issues_in_execution"] = executing

    def prepare(self) -> None:
        """A session is prepared over the days before it (notices, venue, agenda): while an
        issue waits for a session, a committee puts up to ``preparation_share`` of its free
        hours a day into the next one, until ``hours_per_meeting`` are in. When the whole
        session had to come out of one day's free hours, a committee of 5 staff under load
        never had 6 of them, so at 2,000 adults no meeting was ever held (a knife edge)."""
        m = self.model
        pd = m.p.deliberation
        waiting = {i.community for i in self.issues if i.stage == ON_AGENDA}
        for c in sorted(waiting):
            short = pd.hours_per_meeting - self.prep_hours[c]
            if short > 1e-12:
                committee = m.committees[c]
                self.prep_hours[c] += committee.take("deliberation", min(short, pd.preparation_share * committee.free_hours))

    def _convene(self, c: int) -> bool:
        """Hold a session if its hours are in: those prepared, plus what is missing from today's
        free hours."""
        pd = self.model.p.deliberation
        committee = self.model.committees[c]
        missing = max(0.0, pd.hours_per_meeting - self.prep_hours[c])
        if committee.free_hours < missing - 1e-9:
            self.meetings_skipped += 1  # not enough committee time to convene (the preparation waits)
            return False
        committee.take("deliberation", missing)
        self.prep_hours[c] = 0.0
        # the venue, materials and facilitation of the session (its staff hours: costs_today)
        # (a session sized to the community: its room and materials scale with households)
        self.model.process("costs").book("deliberation", pd.meeting_cost_yuan * self.model.household_factor[c])
        return True

    def meeting(self, c: int) -> None:
        m = self.model
        pd = m.p.deliberation
        agenda = [i for i in self.issues if i.community == c and i.stage == ON_AGENDA
                  and i.origin != "collective"]
        if not agenda:
            return
        if not self._convene(c):
            return
        agenda.sort(key=lambda i: (-i.households, i.raised, i.uid))
        agenda = agenda[:m.scaled_count(pd.issues_per_meeting, c)]
        self.meetings += 1
        m.today["meetings"] += 1
        # invited in person: the resident representatives and a delegate of each organization
        # (its most active member)
        reps = np.union1d(m.representatives[c][:m.scaled_count(pd.representatives, c)], self.delegates(c))
        notified = self.notified(c, agenda, pd.format)
        self.session(c, agenda, notified, reps, pd.convergence_per_session)

    def delegates(self, c: int) -> np.ndarray:
        """One delegate per organization of community ``c``: its member with the most
        organization acts."""
        acts = self.model.pop.acts[ORG_ACT]
        out = [o.members[np.argmax(acts[o.members])] for o in self.model.orgs_by_comm.get(c, [])
               if o.members.size]
        return np.asarray(out, np.int64)

    def contested_session(self, issue: Issue) -> None:
        """A hearing (or courtyard show-of-hands) on a collective dispute's public issue."""
        m = self.model
        pd = m.p.deliberation
        issue.next_session = m.clock + pd.contested_session_days
        if not self._convene(issue.community):
            return
        self.hearings += 1
        fmt = "courtyard" if issue.building >= 0 else "hearing"
        reps = self.hearing_reps(issue)
        self.session(issue.community, [issue], self.notified(issue.community, [issue], fmt),
                     reps, pd.contested_convergence)

    def hearing_reps(self, issue: Issue) -> np.ndarray:
        """Representatives invited to a contested session: those living in the grids of the
        affected residents (``hearing_representatives = "grid"``), so that a hearing's size follows
        the dispute, not the community: with the whole community's representatives (a count
        scaled by its households) a hearing at 15,000 adults seated 90 of them against 30 at
        5,000, drew 52 attendees against 28 and needed more sessions before a majority (more
        voters leave less to chance), and meeting acts per adult were 2.5 times those at 5,000."""
        m = self.model
        c = issue.community
        reps = m.representatives[c][:m.scaled_count(m.p.deliberation.representatives, c)]
        if m.p.deliberation.hearing_representatives == "community":
            return reps
        if issue.affected is not None and issue.affected.size:
            grids = np.unique(m.grid_of[issue.affected])
        else:
            grids = np.array([issue.grid])
        return reps[np.isin(m.grid_of[reps], grids)]

    def session(self, c: int, agenda: list[Issue], notified: list[np.ndarray], reps: np.ndarray,
                convergence: float) -> None:
        """One session: notified residents and invited representatives decide whether to
        attend; the attendees notified of each issue (and the representatives) vote on it."""
        m = self.model
        pd = m.p.deliberation
        rng = m.streams.deliberation
        m.pop.last_invited[reps] = m.clock  # representatives are invited in person
        attendees = decide(m, self._seated(np.union1d(np.concatenate(notified), reps), reps, c), "meeting")
        self.attendance.append(int(attendees.size))
        m.today["deliberation_sessions"] += 1
        m.today["meeting_attendance"] += int(attendees.size)
        for g, mask in m.pop.groups().items():
            self.attendance_by_group[g] += int(mask[attendees].sum())
        threshold = RULE.get(pd.decision_rule, pd.consensus_share)
        for issue, who in zip(agenda, notified):
            issue.sessions += 1
            voters = np.intersect1d(attendees, np.union1d(who, reps), assume_unique=True)
            if voters.size == 0:
                continue
            issue.attendees = np.union1d(issue.attendees, voters)
            p_yes = np.clip(rng.normal(issue.support, pd.contest_sd, voters.size), 0, 1)
            votes = rng.random(voters.size) < p_yes
            if votes.mean() >= threshold:
                issue.stage = PUBLICIZE
                issue.passed_day = m.clock
                issue.stage_until = m.clock + pd.stage_days_publicize
                self.proposals_passed += 1
                self.proposals_passed_by_origin[issue.origin] += 1
                m.today["proposals_passed"] += 1
                self.publicize(c)
            else:
                self.proposals_failed_votes += 1
                issue.support += convergence * (1.0 - issue.support)
                if issue.sessions >= pd.max_sessions:
                    self._archive(issue, "rejected")

    def _seated(self, candidates: np.ndarray, reps: np.ndarray, c: int) -> np.ndarray:
        """Who gets a seat: a meeting room holds ``deliberation.seats``. Of those who would
        come (the decision rule, not yet booked), invited representatives are seated first,
        then the keenest (highest chance of taking part: the regulars come early); those
        turned away have not taken part. No extra randomness, so paired runs stay aligned."""
        m = self.model
        seats = m.scaled_count(m.p.deliberation.seats, c)  # the room fits the community (ODD 7.15)
        would, keen = would_take_part(m, candidates, "meeting")
        if would.size <= seats:
            return candidates  # everyone fits: decide as before
        order = np.lexsort((would, -keen, ~np.isin(would, reps)))  # representatives first
        return np.sort(would[order[:seats]])

    def notified(self, c: int, agenda: list[Issue], fmt: str) -> list[np.ndarray]:
        """Residents who learn of the meeting, by format, one array per agenda issue."""
        m = self.model
        rng = m.streams.deliberation
        comm = m.community_members[c]
        if fmt == "open_space":
            everyone = notice_reached(m, comm, rng.random(comm.size), m.p.deliberation.open_space_notice_share)
            return [everyone for _ in agenda]
        out = []
        for issue in agenda:
            if issue.affected is not None and fmt in ("hearing", "courtyard"):
                if fmt == "courtyard" and issue.building >= 0:
                    out.append(comm[m.pop.building[comm] == issue.building])
                else:
                    out.append(issue.affected)
                continue
            grid_res = comm[m.grid_of[comm] == issue.grid]
            if fmt == "courtyard" and issue.building >= 0:
                out.append(grid_res[m.pop.building[grid_res] == issue.building])
            elif fmt in ("hearing", "courtyard"):
                out.append(grid_res)
            else:  # council: notices in the affected grid, besides the representatives
                out.append(notice_reached(m, grid_res, rng.random(grid_res.size),
                                          m.p.deliberation.council_notice_share))
        return out

    def publicize(self, c: int) -> None:
        m = self.model
        comm = m.community_members[c]
        gain = m.p.deliberation.publicize_trust_gain
        m.pop.trust[comm] += gain * (1.0 - m.pop.trust[comm])

    def _assign_executor(self, issue: Issue, busy: dict, busy_orgs: set, rng) -> None:
        """Hand a queued proposal to an executor with capacity (see the module docstring)."""
        pd = self.model.p.deliberation
        c = issue.community
        if issue.origin == "collective":
            if busy["department"][c] >= self.model.scaled_count(pd.department_slots, c):
                return
            issue.executor, mean = "department", pd.department_execution_days
            busy["department"][c] += 1
        else:
            free = [o for o in self.model.orgs_by_comm.get(c, []) if o.alive and o.members.size
                    and o.org_type in PUBLIC_WORK_ORGS and o.unique_id not in busy_orgs]
            if free:
                issue.org = max(free, key=lambda o: (o.reputation, o.members.size, -o.unique_id))
                issue.executor, mean = "organization", pd.execution_days
                busy_orgs.add(issue.org.unique_id)
            elif busy["committee"][c] < self.model.scaled_count(pd.execution_slots, c):
                issue.executor, mean = "committee", pd.execution_days
                busy["committee"][c] += 1
            else:
                return
        issue.stage = EXECUTE
        issue.work_left = float(round(rng.exponential(mean))) if mean > 0 else 0.0

    def _work(self, issue: Issue) -> None:
        """One day of work on a proposal in execution; the committee's needs its free hours."""
        if issue.work_left <= 0:
            return
        if issue.executor == "committee":
            need = self.model.p.deliberation.execution_hours_per_day
            if need > 0:
                got = self.model.committees[issue.community].take("deliberation", need)
                issue.work_left -= got / need
                return
        elif issue.executor == "organization" and not issue.org.alive:
            issue.work_left = 0.0  # the group dissolved: the proposal stalls (see execute)
            return
        issue.work_left -= 1.0

    def execute(self, issue: Issue) -> None:
        m = self.model
        pd = m.p.deliberation
        rng = m.streams.deliberation
        if issue.executor == "organization":
            p = issue.org.success_chance() if issue.org.alive else 0.0
        else:
            p = pd.execution_success
        p += m.p.transparency.supervision_success_gain if m.p.transparency.publish_affairs else 0.0
        issue.carried = bool(rng.random() < min(p, 1.0))
        issue.implemented = m.clock
        if issue.carried:
            self.carried_out += 1
            self.carried_out_by[issue.executor] += 1
            m.today["proposals_carried_out"] += 1
        else:
            self.stalled += 1
        issue.stage = EVALUATE
        issue.stage_until = m.clock + pd.stage_days_evaluate
        if issue.dispute is not None:
            issue.closed = True
            m.disputes.issue_closed(issue, issue.carried)

    def evaluate(self, issue: Issue) -> None:
        m = self.model
        rng = m.streams.deliberation
        outcome = 1.0 if issue.carried else 0.0
        update_efficacy(m, issue.attendees, outcome)
        update_trust(m, issue.attendees, outcome, scale=m.p.deliberation.attendee_trust_scale)
        comm = m.community_members[issue.community]
        affected = issue.affected if issue.affected is not None else comm[m.grid_of[comm] == issue.grid]
        update_satisfaction(m, affected, outcome)
        # evaluation by the affected residents: a (small) participation opportunity
        asked = affected[rng.random(affected.size) < m.p.deliberation.evaluation_share]
        decide(m, asked, "evaluation")
        self._archive(issue, "carried_out" if issue.carried else "stalled")

    def withdraw(self, issue: Issue, reason: str) -> None:
        """A collective dispute was settled (or abandoned) outside deliberation."""
        if not issue.closed and issue.stage in (REVIEW, ON_AGENDA):
            self._archive(issue, reason)
        issue.closed = True

    def _archive(self, issue: Issue, outcome: str) -> None:
        was_closed = issue.closed
        issue.closed = True
        issue.stage = DONE
        self.archive.append({"community": issue.community, "origin": issue.origin,
                             "raised": issue.raised, "passed": issue.passed_day,
                             "implemented": issue.implemented, "done": self.model.clock,
                             "outcome": outcome, "sessions": issue.sessions})
        if issue.dispute is not None and not was_closed:
            self.model.disputes.issue_closed(issue, False)

    def results(self) -> dict:
        """Meetings, proposals and what became of them since day 0."""
        arch = self.archive
        days = [a["implemented"] - a["raised"] for a in arch if a["outcome"] == "carried_out"]
        sessions = [a["sessions"] for a in arch] + [i.sessions for i in self.issues]
        coll = [a["sessions"] for a in arch if a["origin"] == "collective"] + \
            [i.sessions for i in self.issues if i.origin == "collective"]
        outcomes = [a["outcome"] for a in arch]
        att_total = int(np.sum(self.attendance)) if self.attendance else 0
        return {
            "meetings": self.meetings,
            "hearings": self.hearings,
            "meetings_skipped_no_hours": self.meetings_skipped,
            "attendance_mean": float(np.mean(self.attendance)) if self.attendance else 0.0,
            "attendance_total": att_total,
            **{f"attendance_{g}": v for g, v in self.attendance_by_group.items()},
            **{f"attendance_share_{g}": (v / att_total if att_total else float("nan"))
               for g, v in self.attendance_by_group.items()},
            "issues_raised": len(arch) + len(self.issues),
            "issues_raised_collective": sum(1 for a in arch if a["origin"] == "collective")
            + sum(1 for i in self.issues if i.origin == "collective"),
            "issues_open": len(self.issues),
            "issues_shelved": outcomes.count("shelved"),
            "issues_rejected": outcomes.count("rejected"),
            "issues_settled_outside": outcomes.count("settled") + outcomes.count("abandoned"),
            "proposals_passed": self.proposals_passed,
            "proposals_passed_collective": self.proposals_passed_by_origin["collective"],
            "votes_failed": self.proposals_failed_votes,
            "proposals_carried_out": self.carried_out,
            "proposals_stalled": self.stalled,
            **{f"proposals_carried_out_by_{ex}": n for ex, n in self.carried_out_by.items()},
            "days_issue_to_implementation_median": float(np.median(days)) if days else float("nan"),
            "days_issue_to_implementation_p90": float(np.percentile(days, 90)) if days else float("nan"),
            "sessions_per_issue_max": int(max(sessions)) if sessions else 0,
            "sessions_per_collective_issue_mean": float(np.mean(coll)) if coll else float("nan"),
        }

    # ------------------------------------------------------------------- the process
    def costs_today(self) -> dict[str, float]:
        """The committee staff hours deliberation took today (preparing and holding sessions,
        carrying out proposals), valued at the staff's hourly cost (their yearly cost over
        the hours they give: staff_hours_per_day every day of the year)."""
        m = self.model
        c = m.p.committee
        if not c.staff_hours_per_day:
            return {}
        per_hour = c.staff_cost_yuan_per_year / (c.staff_hours_per_day * 365.0)
        return {"deliberation": per_hour * sum(k.hours_today["deliberation"] for k in m.committees)}

    def policy_started(self, old, new) -> None:
        if new.grid.households_per_grid != old.grid.households_per_grid:
            self.regrid()
        self.set_meeting_days()
