"""The AI Code Tracking API of one simulated team (reference §9.2): ``GET /analytics/ai-code/commits``,
``/analytics/ai-code/changes`` and the limited-alpha ``/analytics/ai-code/commits/:hash[,hash...]``.

Lists: ``startDate``/``endDate`` (see :mod:`.dates`), ``user`` (one user: e-mail, ``user_...`` id or numeric id;
anyone else is a 400), ``page`` (1) and ``pageSize`` (100, at most 1000); ``{items, totalCount, page, pageSize}``,
newest first by ``createdAt`` (then by hash or change id). A row is in a window when its ``createdAt`` is: an
amended commit's second row (same hash and ``commitTs``, later ``createdAt``) may fall in the next window, and rows
created after "now" are not served yet. In privacy mode a change's metadata has no ``fileName`` (the file's path
in the repository otherwise).

Details: at most 100 hashes per request (more is a 400); hashes the team never made, or older than the retention,
are left out (200 with the others); ``branch`` keeps the commits of that branch. Each conversation whose ranges
are listed comes once in ``conversations`` (title, tl;dr, overview and bullets are null in privacy mode).
"""

from __future__ import annotations

import random
from collections import OrderedDict
from collections.abc import Callable
from datetime import date, timedelta

from ..audit import user_emails
from ..cycles import DAY_MS, day_start_ms, ms_to_day
from ..params import BadRequest, iso, page_and_size, query_number
from . import naming
from .commits import Commit
from .dates import ai_code_range
from .ranges import annotations
from .summaries import Stub, Summaries

MAX_PAGE_SIZE = 1000
MAX_HASHES = 100
_WINDOWS_CACHED = 8


class AiCodeRoutes:
    """Response bodies of one team's AI Code Tracking routes. A window's rows are found once as small stubs and
    kept (a few windows), so its pages are made from the one or two days they hold."""

    def __init__(self, summaries: Summaries) -> None:
        self.summaries, self.usage, self.spec = summaries, summaries.usage, summaries.usage.spec
        self._windows: OrderedDict[tuple, list[Stub]] = OrderedDict()

    def commits(self, params: dict) -> dict:
        return self._page(params, "commits", lambda day: self.summaries.day(day).commit_stubs, self._commit_row)

    def changes(self, params: dict) -> dict:
        return self._page(params, "changes", lambda day: self.summaries.day(day).change_stubs, self._change_row)

    def details(self, hashes: str, params: dict) -> dict:
        wanted = [h for h in dict.fromkeys(h.strip().lower() for h in hashes.split(",")) if h]
        if not wanted or len(wanted) > MAX_HASHES:
            raise BadRequest(f"Give 1 to {MAX_HASHES} commit hashes, comma-separated")
        branch = params.get("branch")
        commits = [c for h in wanted if (c := self.summaries.commit(h)) and (not branch or c.branch == branch)]
        listed, conversations = [], {}
        for commit in commits:
            ranges = annotations(self.spec.seed, commit)
            listed.append({"commitHash": commit.hash, "commitSource": commit.source, "rangeAnnotations": ranges})
            for conversation in commit.conversation_lines():
                conversations.setdefault(conversation, self._summary(conversation, commit))
        return {"commits": listed, "conversations": list(conversations.values())}

    # -- pages -----------------------------------------------------------------------------------------------

    def _page(self, params: dict, kind: str, stubs_of: Callable[[date], list[Stub]], row: Callable) -> dict:
        start, end = ai_code_range(params, self.spec.end_date)
        end = min(end, day_start_ms(self.spec.end_date) + DAY_MS - 1)  # nothing was ingested after "now"
        page, size = query_number(params, "page", 1), query_number(params, "pageSize", 100)
        page_and_size(page, size, MAX_PAGE_SIZE)
        member = self._member(params.get("user"))
        key = (kind, start, end, member)
        stubs = self._windows.get(key)
        if stubs is None:
            stubs = self._windows[key] = self._window(start, end, member, stubs_of)
            if len(self._windows) > _WINDOWS_CACHED:
                self._windows.popitem(last=False)
        items = [row(stub) for stub in stubs[(page - 1) * size : page * size]]
        return {"items": items, "totalCount": len(stubs), "page": page, "pageSize": size}

    def _member(self, user: str | None) -> int | None:
        if not user:
            return None
        email = next(iter(user_emails(self.usage, [user.strip()])))
        return next(m.index for m in self.usage.humans if m.email.lower() == email)

    def _window(self, start: int, end: int, member: int | None, stubs_of: Callable[[date], list[Stub]]) -> list[Stub]:
        """Rows created within [start, end], newest first; a day's commits are ingested by the next day's 03:00."""
        day, out = ms_to_day(start) - timedelta(days=1), []
        while day <= ms_to_day(end):
            if self.usage.in_retention(day):
                out += [s for s in stubs_of(day) if start <= s[0] <= end and member in (None, s[2])]
            day += timedelta(days=1)
        return sorted(out, key=lambda s: (-s[0], s[1]))

    # -- rows ------------------------------------------------------------------------------------------------

    def _commit_row(self, stub: Stub) -> dict:
        created, hash_text, index, day = stub
        commit = self.summaries.day(day).commits[hash_text]
        tab_deleted, composer_deleted, non_ai_deleted = commit.deleted
        tab, composer = commit.tab_added, commit.composer_added
        return {
            "commitHash": commit.hash, "userId": commit.member.user_id, "userEmail": commit.member.email,
            "repoName": commit.repo, "branchName": commit.branch, "isPrimaryBranch": commit.primary,
            "commitSource": commit.source, "totalLinesAdded": tab + composer + commit.non_ai_added,
            "totalLinesDeleted": sum(commit.deleted), "tabLinesAdded": tab, "tabLinesDeleted": tab_deleted,
            "composerLinesAdded": composer, "composerLinesDeleted": composer_deleted,
            "nonAiLinesAdded": commit.non_ai_added, "nonAiLinesDeleted": non_ai_deleted, "message": commit.message,
            "commitTs": iso(commit.ts) if commit.ts_known else None, "createdAt": iso(created),
        }  # fmt: skip

    def _change_row(self, stub: Stub) -> dict:
        _, change_id, index, day = stub
        change, member = self.summaries.day(day).changes[change_id], self.usage.members[index]
        private = member.privacy_mode
        metadata = [
            ({} if private else {"fileName": path})
            | {"fileExtension": naming.extension(path), "linesAdded": added, "linesDeleted": deleted}
            for path, added, deleted in change.files(self.spec.seed)
        ]
        return {
            "changeId": change.id, "userId": member.user_id, "userEmail": member.email,
            "source": change.source, "model": change.model, "totalLinesAdded": change.added,
            "totalLinesDeleted": change.deleted, "createdAt": iso(change.created_ms),
            "metadata": metadata,
        }  # fmt: skip

    def _summary(self, conversation: str, commit: Commit) -> dict:
        if commit.member.privacy_mode:
            return {"id": conversation, "title": None, "tldr": None, "overview": None, "summaryBullets": None}
        subject = naming.topic(self.spec.seed, commit.member.index, ms_to_day(commit.ts).isocalendar()[1])
        return {"id": conversation} | naming.conversation_summary(random.Random(conversation), subject)
