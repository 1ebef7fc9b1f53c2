"""One team's AI code: its activity, the routes that serve it, and the ground truth of its cost per commit (reached
as ``TeamUsage.ai_code``, e.g. ``simulator.team().ai_code.costs()``)."""

from __future__ import annotations

from datetime import date, timedelta

from ..usage import TeamUsage
from .activity import CodeActivity
from .ai_code import AiCodeRoutes
from .bugbot import BugbotRoutes
from .commits import Commit
from .costs import AiCodeCosts, ai_code_costs
from .summaries import Summaries
from .team_routes import AnalyticsRoutes


class TeamCode:
    def __init__(self, usage: TeamUsage) -> None:
        self.activity = CodeActivity(usage)
        summaries = Summaries(self.activity)
        self.routes = AiCodeRoutes(summaries)
        self.analytics = AnalyticsRoutes(summaries)
        self.bugbot = BugbotRoutes(summaries)

    def commits(self, first: date, last: date) -> list[Commit]:
        """The distinct commits made on the days ``first`` to ``last`` that the API serves (one per hash)."""
        out, day = [], first
        while day <= last:
            if self.activity.usage.in_retention(day):
                out += [c for code in self.activity.day(day).values() for c in code.commits]
            day += timedelta(days=1)
        return out

    def costs(self, linked: bool = True, attribution_days: int = 7) -> AiCodeCosts:
        """The exact cost of every commit and repository-month (see :mod:`.costs`); ``linked=False`` is the
        answer without the commit-detail route."""
        return ai_code_costs(self.activity, linked, attribution_days)
