"""The AI-written line ranges of a commit (the commit-detail route's ``rangeAnnotations``), laid out on demand from
the commit's parts with a generator seeded by the commit's hash.

Each part (a conversation's lines, or the tab lines) spreads over 1 to 3 of the commit's 1 to 4 files, in 1 or 2
ranges per file; ranges of a file never overlap. A range ``start``-``end`` holds ``end - start + 1`` lines, so
a conversation's lines in the commit (the sum over the annotations of its groups' ranges) are exactly its part.
Groups: ``conversationId`` and ``model`` of the conversation (both null for tab completions) and ``operationType``
``COMPOSER`` or ``TAB``. In privacy mode the annotations have no ``filePath``.
"""

from __future__ import annotations

import random

from . import naming
from .commits import Commit, split_lines


def annotations(seed: int, commit: Commit) -> list[dict]:
    rng = random.Random(f"{seed}|ranges|{commit.hash}")
    repo = commit.repo or "workspace/app"
    files = list(dict.fromkeys(naming.file_path(repo, rng) for _ in range(rng.randint(1, 4))))
    next_line = {path: rng.randint(1, 300) for path in files}
    groups: dict[str, list[dict]] = {path: [] for path in files}
    for part in commit.parts:
        chosen = rng.sample(files, min(len(files), rng.randint(1, 3)))
        for path, lines in zip(chosen, split_lines(part.lines, len(chosen), rng), strict=False):
            ranges = []
            for chunk in split_lines(lines, rng.randint(1, 2), rng):
                start = next_line[path] + rng.randint(0, 25)
                ranges.append({"start": start, "end": start + chunk - 1})
                next_line[path] = start + chunk
            groups[path].append(
                {
                    "conversationId": part.conversation,
                    "model": part.model,
                    "operationType": "TAB" if part.conversation is None else "COMPOSER",
                    "ranges": ranges,
                }
            )
    out = []
    for path, file_groups in groups.items():
        if file_groups:
            out.append(({} if commit.member.privacy_mode else {"filePath": path}) | {"groups": file_groups})
    return out
