"""Qodo (PR-Agent) comments: "PR Code Suggestions" tables and the "PR Reviewer Guide".

- A suggestion is a table row: `<details><summary>Title</summary>`, the suggestion in bold,
  its place as a link `[path [35-40]](...)`, and the row's Impact cell (High, Medium, Low)
  as its severity.
- A focus area of the Reviewer Guide is `<details><summary><a href='...#diff-<hash>R37-R37'>
  <strong>Title</strong></a>` and its text; the link gives the lines, the text the file.
"""
from __future__ import annotations

import re

from findings_gate.read.prose import mentions
from findings_gate.read.prose.scanners import Result

_SUGGESTION_PLACE = re.compile(r'\[`?([^\[\]\n`]+?)`?\s+\[(\d+)(?:\s*-\s*(\d+))?\]\]\(')
_SUMMARY = re.compile(r'<summary>\s*(.*?)\s*</summary>', re.S)
_IMPACT = re.compile(r'<td align=center>\s*(High|Medium|Low)\b', re.I)
_FOCUS = re.compile(
    r"<summary><a href='[^']*#diff-[0-9a-f]+R(\d+)(?:-R(\d+))?'>\s*<strong>(.*?)</strong></a>(.*?)</summary>", re.S)
_TAG = re.compile(r'<[^>\n]+>')
# a focus area that states a defect, not one that asks the reviewer to verify something
_DEFECT = re.compile(r"vulnerab|inject|\bxss\b|(?:could|will|can|may) (?:cause|lead|allow|break)|crash|bypass|"
                     r"there(?:'s| is) no|\bno (?:error|input|bounds) (?:handling|validation|check)|incorrect|"
                     r"\bwrong\b|contradict|\bleak", re.I)
_CONCERNS = re.compile(r'<strong>Security concerns</strong>(.*?)</td>', re.S)


def _plain(html: str) -> str:
    return re.sub(r'\s+', ' ', _TAG.sub(' ', html.replace('&nbsp;', ' '))).strip()


def results(text: str) -> list[Result]:
    """The suggestions and focus areas of a Qodo comment, in the order they appear."""
    found = []
    if 'PR Code Suggestions' in text or _IMPACT.search(text):
        for place in _SUGGESTION_PLACE.finditer(text):
            before = text[:place.start()]
            summaries = list(_SUMMARY.finditer(before, max(0, len(before) - 4000)))
            title = _plain(summaries[-1].group(1)) if summaries else ''
            impact = _IMPACT.search(text, place.end())
            start = int(place.group(2))
            segment = text[summaries[-1].start() if summaries else place.start():impact.start() if impact else None]
            found.append(Result(place.group(1), start, None, impact.group(1).lower() if impact else None, None,
                                tuple(mentions.implied_cwes(_plain(segment))), title or 'suggestion', None,
                                text.count('\n', 0, place.start()) + 1, int(place.group(3) or start)))
    concerns = _CONCERNS.search(text)
    concern = _plain(concerns.group(1)) if concerns else ''
    for focus in _FOCUS.finditer(text):
        words = _plain(focus.group(4))
        if not _DEFECT.search(words):
            continue
        cwes = mentions.implied_cwes(words)
        paths = mentions.paths(words) or (  # the security concern it repeats names the file
            mentions.paths(concern) if cwes and set(cwes) & set(mentions.implied_cwes(concern)) else [])
        found.append(Result(paths[0] if paths else None, int(focus.group(1)), None, None, None,
                            tuple(cwes), f'{_plain(focus.group(3))}: {words}', None,
                            text.count('\n', 0, focus.start()) + 1, int(focus.group(2) or focus.group(1))))
    return found
