"""Deliberation (议事协商) in the seven steps of seed 004 (七步议事法):
collect, review, resolve, publicize, execute under supervision, evaluate, archive.

- Collect: public issues arise from shared needs (``public_issue_threshold`` of them from one
  grid) and from collective disputes.
- Review: an issue becomes eligible after ``stage_days_review`` days.
- Resolve: meetings are held ``meetings_per_year`` times, evenly spaced, if the committee
  has ``hours_per_meeting`` free; they take the ``issues_per_meeting`` oldest eligible
  issues. Who is notified depends on the format (council: representatives plus the affected
  grid; open space: the whole community; hearing: the affected grid; courtyard: the affected
  building). Attendance is the residents' participation decision (invited representatives
  get the invitation term). Each attendee votes yes with probability
  clip(N(support, contest_sd)); the issue passes if the yes share reaches the rule
  (majority 1/2, two thirds 2/3, consensus 0.9). A failed issue returns for another session
  with support moved 0.05 towards agreement (deliberation narrows a contest).
- Publicize: ``stage_days_publicize`` days; publication moves the community's trust up by
  ``transparency.publish_trust_gain``/4 (one notice).
- Execute: after an exponential delay of mean ``execution_days``, carried out with chance
  ``execution_success`` (+0.1 under transparency's supervision), otherwise stalled.
- Evaluate: the affected grid's residents evaluate (a participation opportunity);
  attendees' efficacy moves towards 1 (carried out) or 0 (stalled); the grid's satisfaction
  moves likewise.
- Archive: the issue is closed and logged.
"""

from __future__ import annotations

import numpy as np

from .participation import decide, update_efficacy, update_satisfaction

RULE = {"majority": 0.5, "two_thirds": 2 / 3, "consensus": 0.9}
# stages
REVIEW, ON_AGENDA, PUBLICIZE, EXECUTE, DONE = 0, 1, 2, 3, 4


class Issue:
    __slots__ = ("community", "grid", "origin", "raised", "support", "stage", "sessions",
                 "stage_until", "attendees", "passed_day", "households", "building", "uid")

    def __init__(self, community, grid, origin, raised, support, households, building=-1):
        self.community, self.grid, self.origin = community, grid, origin
        self.raised, self.support, self.households = raised, support, households
        self.building = building
        self.stage, self.sessions, self.stage_until = REVIEW, 0, raised
        self.attendees = np.empty(0, np.int64)
        self.passed_day = -1


class Deliberation:
    """Public issues and meetings of every community of the run."""

    def __init__(self, model):
        self.model = model
        self.issues: list[Issue] = []
        self.next_uid = 0
        self.archive: list[dict] = []
        n_c = model.pop.n_communities
        self.pending_needs = np.zeros((n_c, model.n_grids_max), np.int64)
        k = model.p.deliberation.meetings_per_year
        # evenly spaced meeting days, the first a little after the start
        self.meeting_days = set(int(round((i + 0.5) * 365 / k)) for i in range(k)) if k else set()
        self.meetings = 0
        self.meetings_skipped = 0
        self.attendance: list[int] = []
        self.attendance_by_group = {g: 0 for g in ("local", "migrant", "working", "retired",
                                                   "party", "nonparty")}
        self.proposals_passed = 0
        self.proposals_failed_votes = 0
        self.carried_out = 0
        self.stalled = 0

    # ------------------------------------------------------------------------ collect
    def add_needs(self, communities: np.ndarray, grids: np.ndarray) -> None:
        np.add.at(self.pending_needs, (communities, grids), 1)
        thr = self.model.p.needs.public_issue_threshold
        rng = self.model.streams.deliberation
        for c, g in zip(*np.nonzero(self.pending_needs >= thr)):
            self.pending_needs[c, g] -= thr
            self.new_issue(int(c), int(g), "needs", rng.normal(0.62, 0.1), households=thr * 10)

    def new_issue(self, community: int, grid: int, origin: str, support: float,
                  households: int, building: int = -1) -> Issue:
        issue = Issue(community, grid, origin, self.model.day, float(np.clip(support, 0.05, 0.95)),
                      households, building)
        issue.stage_until = self.model.day + self.model.p.deliberation.stage_days_review
        issue.uid = self.next_uid
        self.next_uid += 1
        self.issues.append(issue)
        self.model.today["issues_raised"] += 1
        return issue

    # ---------------------------------------------------------------------- the day
    def step(self) -> None:
        m = self.model
        day = m.day
        pd = m.p.deliberation
        for issue in self.issues:
            if issue.stage == REVIEW and day >= issue.stage_until:
                issue.stage = ON_AGENDA
        if (day % 365) in self.meeting_days:
            for c in range(m.pop.n_communities):
                self.meeting(c)
        for issue in self.issues:
            if issue.stage == PUBLICIZE and day >= issue.stage_until:
                issue.stage = EXECUTE
                delay = m.streams.deliberation.exponential(pd.execution_days)
                issue.stage_until = day + int(round(delay))
            elif issue.stage == EXECUTE and day >= issue.stage_until:
                self.execute(issue)
        if any(i.stage == DONE for i in self.issues):
            self.issues = [i for i in self.issues if i.stage != DONE]

    def meeting(self, c: int) -> None:
        m = self.model
        pd = m.p.deliberation
        rng = m.streams.deliberation
        agenda = [i for i in self.issues if i.community == c and i.stage == ON_AGENDA]
        if not agenda:
            return
        if m.committees[c].take("deliberation", pd.hours_per_meeting) < pd.hours_per_meeting - 1e-9:
            self.meetings_skipped += 1  # not enough free committee time to convene
            return
        agenda.sort(key=lambda i: i.raised)
        agenda = agenda[:pd.issues_per_meeting]
        self.meetings += 1
        m.today["meetings"] += 1
        notified = self.notified(c, agenda, rng)
        reps = m.representatives[c]
        m.last_invited[reps] = m.day  # representatives are invited in person
        attendees = decide(m, np.union1d(notified, reps), "meeting")
        self.attendance.append(int(attendees.size))
        for g, mask in m.pop.groups().items():
            self.attendance_by_group[g] += int(mask[attendees].sum())
        threshold = RULE[pd.decision_rule]
        for issue in agenda:
            issue.sessions += 1
            if attendees.size == 0:
                continue
            votes = rng.random(attendees.size) < np.clip(rng.normal(issue.support, pd.contest_sd,
                                                                    attendees.size), 0, 1)
            issue.attendees = np.union1d(issue.attendees, attendees)
            if votes.mean() >= threshold:
                issue.stage = PUBLICIZE
                issue.passed_day = m.day
                issue.stage_until = m.day + pd.stage_days_publicize
                self.proposals_passed += 1
                m.today["proposals_passed"] += 1
                self.publicize(c)
            else:
                self.proposals_failed_votes += 1
                issue.support += 0.05 * np.sign(0.75 - issue.support)

    def notified(self, c: int, agenda: list[Issue], rng) -> np.ndarray:
        """Residents who learn of the meeting, by format."""
        m = self.model
        fmt = m.p.deliberation.format
        comm = m.community_members[c]
        if fmt == "open_space":
            return comm[rng.random(comm.size) < 0.3]
        grids = {i.grid for i in agenda}
        affected = comm[np.isin(m.grid_of[comm], list(grids))]
        if fmt == "courtyard":
            bld = m.pop.building[affected]
            first = {i.grid: i.building for i in agenda}
            keep = np.isin(bld, [b for b in first.values() if b >= 0]) if any(
                b >= 0 for b in first.values()) else np.ones(affected.size, bool)
            return affected[keep]
        if fmt == "hearing":
            return affected
        return affected[rng.random(affected.size) < 0.5]  # council: notices in the grid

    def publicize(self, c: int) -> None:
        m = self.model
        comm = m.community_members[c]
        gain = m.p.transparency.publish_trust_gain / 4.0
        m.pop.trust[comm] += gain * (1.0 - m.pop.trust[comm])

    def execute(self, issue: Issue) -> None:
        m = self.model
        pd = m.p.deliberation
        rng = m.streams.deliberation
        p = pd.execution_success + (0.1 if m.p.transparency.publish_affairs else 0.0)
        carried = rng.random() < min(p, 1.0)
        update_efficacy(m, issue.attendees, 1.0 if carried else 0.0)
        comm = m.community_members[issue.community]
        grid_res = comm[m.grid_of[comm] == issue.grid]
        update_satisfaction(m, grid_res, 1.0 if carried else 0.0)
        # evaluation by the affected residents: a (small) participation opportunity
        asked = grid_res[rng.random(grid_res.size) < 0.1]
        decide(m, asked, "evaluation")
        if carried:
            m.disputes.resolve_by_deliberation(issue)
            self.carried_out += 1
            m.today["proposals_carried_out"] += 1
        else:
            self.stalled += 1
        self.archive.append({"community": issue.community, "origin": issue.origin,
                             "raised": issue.raised, "passed": issue.passed_day,
                             "done": m.day, "carried_out": carried, "sessions": issue.sessions})
        issue.stage = DONE

    def summary(self) -> dict:
        days = [a["done"] - a["raised"] for a in self.archive if a["carried_out"]]
        sessions = [a["sessions"] for a in self.archive]
        open_sessions = [i.sessions for i in self.issues]
        return {
            "meetings": self.meetings,
            "meetings_skipped_no_hours": self.meetings_skipped,
            "attendance_mean": float(np.mean(self.attendance)) if self.attendance else 0.0,
            "attendance_total": int(np.sum(self.attendance)) if self.attendance else 0,
            **{f"attendance_{g}": v for g, v in self.attendance_by_group.items()},
            "issues_raised": len(self.archive) + len(self.issues),
            "issues_open": len(self.issues),
            "proposals_passed": self.proposals_passed,
            "votes_failed": self.proposals_failed_votes,
            "proposals_carried_out": self.carried_out,
            "proposals_stalled": self.stalled,
            "days_issue_to_implementation_median": float(np.median(days)) if days else float("nan"),
            "sessions_per_issue_max": int(max(sessions + open_sessions)) if sessions + open_sessions else 0,
        }
