"""Copies of a campaign text as people send them: the variants the grouping must see through.

Used by the demo's generated responses (``reports.generate``) and by the quality
benchmark's corpora (``benchmarks.campaign_corpus``): the case and punctuation
changed, words swapped for synonyms, sentences reordered, a sentence of the
respondent's own added, the text cut short.
"""

import re

_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"\w+", re.UNICODE)

#: Synonyms of the words of the demo's campaign texts (``reports.sample_text.CAMPAIGNS``).
SYNONYMS = {
    "protect": ["defend", "safeguard", "shield"],
    "data": ["information"],
    "must": ["has to", "should", "needs to"],
    "guarantee": ["ensure", "make sure", "secure"],
    "citizens": ["people", "residents", "the public"],
    "never": ["not ever", "at no point"],
    "sold": ["traded", "sold off"],
    "shared": ["passed on", "handed over", "disclosed"],
    "explicit": ["clear", "express", "informed"],
    "consent": ["permission", "agreement", "approval"],
    "simplification": ["simpler rules", "streamlining", "deregulation"],
    "lower": ["reduce", "weaken", "water down"],
    "protection": ["safeguards", "privacy", "rights"],
    "small": ["little", "modest", "tiny"],
    "business": ["company", "firm", "enterprise"],
    "ask": ["call", "request", "plead"],
    "simple": ["clear", "straightforward", "plain"],
    "rulebook": ["set of rules", "rule book", "framework"],
    "contact": ["single", "help"],
    "point": ["desk", "office"],
    "new": ["additional", "extra", "further"],
    "reporting": ["paperwork", "filing"],
    "obligations": ["duties", "requirements", "burdens"],
    "companies": ["firms", "businesses", "employers"],
    "employees": ["staff", "workers", "people"],
    "open": ["free", "public"],
    "public": ["common", "shared", "collective"],
    "good": ["asset", "resource", "benefit"],
    "publicly": ["tax", "state"],
    "funded": ["financed", "paid for", "supported"],
    "free": ["free of charge", "without cost", "gratis"],
    "machine-readable": ["machine readable", "computer-readable", "reusable"],
    "default": ["standard", "principle", "rule"],
}

#: Sentences a respondent adds of their own to a campaign text.
PERSONAL = [
    "I am a nurse and I see every day how health data is handled carelessly.",
    "My small bakery spent three weeks last year on paperwork for two different agencies.",
    "Our town council published its bus data and a student built a better timetable app.",
    "I was refused a loan because of data I never knew a broker had collected about me.",
    "As a teacher I want my pupils to learn with open material, not locked platforms.",
    "We are a family farm and the new reporting rules take more time than the harvest.",
    "My daughter's school app shares her location with advertisers, which shocked me.",
    "I have been a software developer for twenty years and I support this fully.",
]


def sentences(text: str) -> list[str]:
    """The sentences of ``text``, split after ., ! or ?."""
    return [part for part in _SENTENCE.split(text.strip()) if part]


def swap_words(rng, text: str, share: float, synonyms=None) -> str:
    """``text`` with ``share`` of its words (of those that have one) swapped for a synonym."""
    synonyms = SYNONYMS if synonyms is None else synonyms
    matches = [m for m in _WORD.finditer(text) if m.group().casefold() in synonyms]
    words = len(_WORD.findall(text))
    wanted = min(len(matches), round(words * share))
    chosen = sorted(rng.sample(matches, wanted), key=lambda m: m.start())
    parts, last = [], 0
    for match in chosen:
        replacement = rng.choice(synonyms[match.group().casefold()])
        if match.group()[0].isupper():
            replacement = replacement[0].upper() + replacement[1:]
        parts += [text[last : match.start()], replacement]
        last = match.end()
    return "".join(parts) + text[last:]


def reorder(rng, text: str) -> str:
    """The same sentences in another order (when there are several)."""
    parts = sentences(text)
    if len(parts) > 1:
        original = list(parts)
        while parts == original:
            rng.shuffle(parts)
    return " ".join(parts)


def add_sentence(rng, text: str, sentence: str) -> str:
    """``sentence`` of the respondent's own, before or after the campaign text."""
    return f"{sentence} {text}" if rng.random() < 0.3 else f"{text} {sentence}"


def cut(text: str, share: float = 0.7) -> str:
    """The first ``share`` of the words of ``text``, as when a copy is pasted short."""
    words = text.split()
    return " ".join(words[: max(1, round(len(words) * share))])


def restyle(rng, text: str) -> str:
    """Case, spacing or punctuation changed: identical to the fingerprint."""
    choice = rng.random()
    if choice < 0.3:
        return text.upper()
    if choice < 0.6:
        return text.replace(" ", "  ", 3).replace(",", "")
    return text.rstrip(".!") + "!!"


#: The demo's mix of variants: (name, weight).
DEMO_VARIANTS = [("exact", 4), ("synonyms", 3), ("reordered", 1), ("added", 2), ("cut", 1)]


def demo_copy(rng, text: str) -> str:
    """A copy of a campaign text for the demo: one of the variants, by weight."""
    kind = rng.choices([k for k, _ in DEMO_VARIANTS], [w for _, w in DEMO_VARIANTS])[0]
    return variant(rng, text, kind)


def variant(rng, text: str, kind: str, synonyms=None, personal=None) -> str:
    """One copy of ``text`` of the ``kind`` asked for."""
    if kind == "exact":
        return restyle(rng, text) if rng.random() < 0.6 else text
    if kind == "synonyms":
        return swap_words(rng, text, rng.uniform(0.10, 0.25), synonyms)
    if kind == "reordered":
        return reorder(rng, text)
    if kind == "added":
        return add_sentence(rng, text, rng.choice(personal or PERSONAL))
    if kind == "cut":
        return cut(text)
    raise ValueError(f"unknown variant {kind!r}")
