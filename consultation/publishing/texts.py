"""A free text with its redactions applied: as published ("[removed]") or in marked segments.

Offsets are character offsets in the stored ``text_value`` (end excluded); spans that
overlap or touch are one removal.
"""

import re

#: What stands for removed words in published text (the API, the bulk files, searches).
REMOVED_TEXT = "[removed]"
#: Private-use characters marking a removal, and a withheld text, inside display lines.
#: A respondent can never type them (``clean_text`` refuses private-use characters), so
#: the page can turn them into visible marks without mistaking a respondent's words.
REMOVED_MARK = "\ue000"
WITHHELD_MARK = "\ue001"
_MARKS = re.compile(f"([{REMOVED_MARK}{WITHHELD_MARK}])")


def merged(spans) -> list[tuple[int, int]]:
    """``spans`` ((start, end) pairs) sorted, overlapping or touching ones joined."""
    result: list[list[int]] = []
    for start, end in sorted(spans):
        if result and start <= result[-1][1]:
            result[-1][1] = max(result[-1][1], end)
        else:
            result.append([start, end])
    return [(start, end) for start, end in result]


def redacted(text: str, spans, mark: str = REMOVED_TEXT) -> str:
    """``text`` with every span replaced by ``mark``."""
    pieces, position = [], 0
    for start, end in merged(spans):
        pieces.append(text[position:start])
        pieces.append(mark)
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def segments(line: str) -> list[tuple[str, str | None]]:
    """A display line cut into (text, mark) pieces: mark is None, "removed" or "withheld"."""
    result = []
    for piece in _MARKS.split(line):
        if piece == REMOVED_MARK:
            result.append((REMOVED_TEXT, "removed"))
        elif piece == WITHHELD_MARK:
            result.append(("", "withheld"))
        elif piece:
            result.append((piece, None))
    return result


def occurrences(text: str, words: str) -> list[int]:
    """Where ``words`` start in ``text`` (exactly as typed), each occurrence once."""
    found, start = [], text.find(words) if words else -1
    while start != -1:
        found.append(start)
        start = text.find(words, start + len(words))
    return found
