"""What goes into a respondent's PDF is bounded, so that no answer can make it slow to render.

An answer longer than ``ANSWER_CHARS`` characters or ``ANSWER_LINES`` lines is cut in
the PDF only, with a visible note; the page and the text file hold all of it. A run of
characters without a space gets a break opportunity every ``RUN`` characters: WeasyPrint's
line breaking grows with the square of the longest run it cannot break (5,000 characters
without a space took 2.4 s, 100,000 several minutes), and with the number of lines
(2,500 one-letter lines took 7 s). File names are shortened in the middle.
"""

import re

from flask_babel import gettext as _

from ..formatting import number

#: Characters and lines of one answer shown in a PDF; the longest text a shipped
#: questionnaire accepts (5,000 characters) fits, with its line breaks.
ANSWER_CHARS = 6000
ANSWER_LINES = 150
#: The longest run of characters without a break opportunity.
RUN = 80
FILE_NAME_CHARS = 100
#: Zero-width space: a break opportunity that shows nothing.
_BREAK = "\u200b"
_LONG_RUN = re.compile(rf"(\S{{{RUN}}})(?=\S)")


def breakable(text: str) -> str:
    """``text`` with a break opportunity inside every run of more than ``RUN`` characters."""
    return _LONG_RUN.sub(lambda match: match.group(1) + _BREAK, text)


def bounded_lines(lines) -> list[str]:
    """The lines of one answer as a PDF shows them: bounded, with a note saying what is left out."""
    lines = [str(line) for line in lines]
    kept, room = [], ANSWER_CHARS
    for line in lines[:ANSWER_LINES]:
        if room <= 0:
            break
        kept.append(breakable(_cut(line, room)))
        room -= len(line) + 1  # its line break counts as a character, as in the text file
    left_out = len("\n".join(lines)) - len("\n".join(kept).replace(_BREAK, ""))
    if left_out > 0:
        kept.append(_("[… %(count)s more characters, see the text file]", count=number(left_out)))
    return kept


def _cut(line: str, room: int) -> str:
    """``line`` in at most ``room`` characters, ending at a space when one is near the end."""
    if len(line) <= room:
        return line
    space = line.rfind(" ", max(0, room - RUN), room + 1)
    return line[:space] if space > 0 else line[:room]


def bounded_typed(typed) -> list[tuple[str, list[str]]]:
    """``(label, lines)`` pairs (what a person typed) with every answer bounded."""
    return [(label, bounded_lines(lines)) for label, lines in typed]


def short_file_name(name: str) -> str:
    """A file name of at most ``FILE_NAME_CHARS`` characters, shortened in the middle."""
    if len(name) <= FILE_NAME_CHARS:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension) > 10:
        stem, extension = name, ""
    keep = FILE_NAME_CHARS - len(extension) - len(dot) - 1
    return f"{stem[: keep // 2]}…{stem[len(stem) - (keep - keep // 2) :]}{dot}{extension}"


def register(app) -> None:
    """``|pdf_lines`` in PDF templates."""
    app.add_template_filter(bounded_lines, "pdf_lines")
