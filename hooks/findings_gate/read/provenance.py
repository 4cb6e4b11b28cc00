"""The commits a SARIF log says it analysed: each run's `versionControlProvenance[].revisionId`.

Read for a base report only (`check --base-report`), to refuse the report of a
commit that is not the base. The SARIF reader does not keep it as the report's
revision: a code host's analysis names its merge commit there, which no branch
holds, and freshness would then count the whole review as of another revision.
"""
from __future__ import annotations

import json

from findings_gate.documents import loads


def revisions(data: bytes, origin: str) -> list[str]:
    """Every revisionId the log names, in its order; none for a log that is not SARIF's shape."""
    try:
        document = loads(data.decode('utf-8-sig'), origin, data=data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return []
    runs = document.get('runs') if isinstance(document, dict) else None
    found = []
    for run in runs if isinstance(runs, list) else ():
        places = run.get('versionControlProvenance') if isinstance(run, dict) else None
        for place in places if isinstance(places, list) else ():
            revision = place.get('revisionId') if isinstance(place, dict) else None
            if isinstance(revision, str) and revision:
                found.append(revision)
    return list(dict.fromkeys(found))
