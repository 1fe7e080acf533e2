"""What a member of a campaign adds of its own: its sentences that are not the template's."""

from . import minhash
from .variants import sentences

#: A sentence is the template's when at least this share of its words are in the template
#: (a quarter of its words swapped for synonyms of two or three words each still is).
TEMPLATE_SHARE = 0.4
#: A sentence this short is the template's when any of its words is ("Shield our information!").
SHORT = 4


def added_text(text: str | None, template: str | None) -> str | None:
    """The sentences of ``text`` whose words are mostly not in ``template``, or None.

    Compared by sentence, so a copy whose words were swapped for synonyms adds
    nothing, while a sentence of the respondent's own, wherever it stands, is kept
    as they wrote it.
    """
    if not text:
        return None
    known = set(minhash.tokens(template))
    own = []
    for sentence in sentences(text):
        words = minhash.tokens(sentence)
        if not words:
            continue
        shared = sum(word in known for word in words)
        if shared / len(words) < TEMPLATE_SHARE and not (len(words) <= SHORT and shared):
            own.append(sentence)
    return " ".join(own) or None
