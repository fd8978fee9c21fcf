"""The model's calendar: one for every periodic rule, counted from the report's day 0.

The model's ``clock`` counts days from the start of the spin-up and stamps events (a need's
day raised, a dispute's day opened). What recurs (the month's end of organizations and
transparency, the 30-day blocks of the yearly act count, the year's grant contests,
meetings, contracts and the party evaluation) is decided by this calendar instead, on the
days of the report: day 0 is the first day of a month and of a year, whatever the length of
the spin-up. A run with a longer spin-up therefore holds its contests, evaluations and
reporting blocks on the same report days (tests/test_snapshot.py checks this).
"""

from __future__ import annotations

YEAR_DAYS = 365   # a model year
MONTH_DAYS = 30   # a model month, and a block of the yearly act count
BLOCKS = 12       # the yearly act count is kept in 12 blocks of 30 days (360 days)


class Calendar:
    """Report days and their place in the month and year; ``day0`` is the clock at day 0."""

    def __init__(self, day0: int):
        self.day0 = int(day0)

    def day(self, clock: int) -> int:
        """The report day of clock day ``clock`` (negative during the spin-up)."""
        return clock - self.day0

    def day_of_year(self, clock: int) -> int:
        """0 .. 364: day 0 of the report is the first day of a year."""
        return (clock - self.day0) % YEAR_DAYS

    def day_of_month(self, clock: int) -> int:
        """0 .. 29: day 0 of the report is the first day of a month."""
        return (clock - self.day0) % MONTH_DAYS

    def month_end(self, clock: int) -> bool:
        """The last day of a month (monthly rounds run then)."""
        return (clock - self.day0) % MONTH_DAYS == MONTH_DAYS - 1

    def block(self, clock: int) -> int:
        """0 .. 11: the 30-day block of the yearly act count that ``clock`` falls in."""
        return ((clock - self.day0) // MONTH_DAYS) % BLOCKS

    def __repr__(self) -> str:
        return f"Calendar(day0={self.day0})"
