"""Matching Japanese text by substring: folding, query words, highlighting and snippets.

Part of portal's shared base: pure functions (no database, no other app), used by the site
search (``cms.search``) and the disclosure catalogue (``disclosure.catalogue.search``), so both
fold text the same way and a resident's 「ｺﾞﾐ」 finds 「ごみ」 in either. See docs/search.md.
"""

from __future__ import annotations

import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

#: Longest query read; the rest is ignored.
MAX_QUERY_LENGTH = 100
#: More words than this are ignored: each one is a LIKE over an index.
MAX_WORDS = 5
SNIPPET_LENGTH = 120
#: Characters of context shown before the first match in a snippet.
SNIPPET_LEAD = 30

_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)} | {0x30FD: 0x309D, 0x30FE: 0x309E}


def display_form(text: str) -> str:
    """Text as it is stored for showing in snippets: as written, with one space between runs of text."""
    return " ".join(text.split())


def fold(text: str) -> str:
    """The matching form of ``text``: NFKC, case-folded, katakana as hiragana.

    "ＰＤＦ", "pdf" and "PDF" are the same word, and so are "ｺﾞﾐ", "ゴミ" and "ごみ". Every step
    works on single characters (or a character and its combining marks), so a match can be
    mapped back onto the displayed text for highlighting.
    """
    return unicodedata.normalize("NFKC", text).casefold().translate(_KATAKANA_TO_HIRAGANA)


def query_words(query: str, *, max_length: int = MAX_QUERY_LENGTH, max_words: int = MAX_WORDS) -> list[str]:
    """The distinct words of ``query`` in matching form; at most ``max_words`` of the first ``max_length`` characters.

    Full-width spaces separate words too ("子育て　支援" is two words).
    """
    return list(dict.fromkeys(fold(query[:max_length]).split()))[:max_words]


def _units(text: str):
    """(start, end) of each character of ``text`` with the combining marks that follow it (e.g. ｶﾞ)."""
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or not (unicodedata.combining(text[i]) or text[i] in "\uff9e\uff9f"):
            yield start, i
            start = i


def _folded_with_offsets(text: str) -> tuple[str, list[int] | None, list[int] | None]:
    """``fold(text)`` and, for each of its characters, where it came from in ``text``.

    The offsets are None when every character folds to exactly one (the usual case): then a
    position in the folded text is the same position in ``text``.
    """
    folded = fold(text)
    if len(folded) == len(text):
        return folded, None, None
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for start, end in _units(text):
        part = fold(text[start:end])
        parts.append(part)
        starts.extend([start] * len(part))
        ends.extend([end] * len(part))
    return "".join(parts), starts, ends


def matches(text: str, words: list[str]) -> list[tuple[int, int]]:
    """Merged (start, end) ranges of ``text`` where any of ``words`` (folded) occurs, in order."""
    folded, starts, ends = _folded_with_offsets(text)
    spans = []
    for word in words:
        position = folded.find(word)
        while position != -1:
            last = position + len(word) - 1
            spans.append((starts[position], ends[last]) if starts and ends else (position, last + 1))
            position = folded.find(word, position + len(word))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, words: list[str], spans: list[tuple[int, int]] | None = None) -> SafeString:
    """``text``, escaped, with every occurrence of ``words`` in ``<mark>``."""
    if spans is None:
        spans = matches(text, words)
    out, last = [], 0
    for start, end in spans:
        out += [escape(text[last:start]), "<mark>", escape(text[start:end]), "</mark>"]
        last = end
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece of text is escaped above


def snippet(text: str, words: list[str], length: int = SNIPPET_LENGTH) -> SafeString:
    """About ``length`` characters of ``text`` around its first match, matches in ``<mark>``."""
    spans = matches(text, words)
    start = max(0, spans[0][0] - SNIPPET_LEAD) if spans else 0
    end = min(len(text), start + length)
    start = max(0, min(start, end - length))
    inside = [(max(s, start) - start, min(e, end) - start) for s, e in spans if s < end and e > start]
    body = highlight(text[start:end], words, inside)
    return mark_safe(("…" if start else "") + body + ("…" if end < len(text) else ""))  # noqa: S308
