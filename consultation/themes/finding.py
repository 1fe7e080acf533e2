"""Themes found without supervision: TF-IDF weights of words, factorised by NMF.

Each language with enough distinct answers gets its own themes (its own stop
words, its own vocabulary); the answers of the other languages are pooled. The
factorisation starts from an SVD (``nndsvda``) and a fixed seed, and the texts
come in the order of their keys, so the same answers always give the same
themes. Every text is put in the theme it weighs most in; a text with no word
the model kept (too short, only stop words) is in none.
"""

import math
import warnings
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer

from .dedup import Representative
from .stopwords import guess_language, languages, stop_words

SEED = 20250605
#: Distinct texts a language needs for themes of its own; fewer are pooled with others.
MIN_PER_LANGUAGE = 60
#: Distinct texts needed to find themes at all (in a language, or pooled).
MIN_TEXTS = 20
MAX_THEMES = 8
TOP_TERMS = 8
#: Words: letters only, at least three of them (numbers and initials say little).
TOKENS = r"(?u)\b[^\W\d_]{3,}\b"


@dataclass
class FoundTheme:
    """A theme as found: its language, top terms and members ((response id, weight))."""

    language: str | None
    terms: list
    members: list = field(default_factory=list)
    distinct: int = 0


def theme_count(texts: int) -> int:
    """How many themes to look for in ``texts`` distinct texts: 2 to ``MAX_THEMES``."""
    return max(2, min(MAX_THEMES, round(math.sqrt(texts / 4))))


def by_language(found: list[Representative]) -> dict:
    """The texts grouped for fitting: a language of its own when it has enough, else None.

    A text's language is the one its words show (``guess_language``), else its form's.
    """
    listed = set(languages())
    groups = defaultdict(list)
    for item in found:
        language = guess_language(item.text, item.language)
        groups[language if language in listed else None].append(item)
    pooled = groups.pop(None, [])
    result = {}
    for language, items in sorted(groups.items()):
        if len(items) >= MIN_PER_LANGUAGE:
            result[language] = sorted(items, key=lambda item: item.key)
        else:
            pooled.extend(items)
    if pooled:
        result[None] = sorted(pooled, key=lambda item: item.key)
    return result


def fit(items: list[Representative], language: str | None, themes: int) -> list[FoundTheme]:
    """``themes`` themes (or fewer) in ``items``; [] when the texts are too few or too alike."""
    if len(items) < 2:
        return []
    vectorizer = TfidfVectorizer(
        stop_words=sorted(stop_words(language)) or None,
        token_pattern=TOKENS,
        min_df=2,
        max_df=0.9 if len(items) >= 10 else 1.0,
        sublinear_tf=True,
        max_features=20_000,
    )
    try:
        weights = vectorizer.fit_transform([item.text for item in items])
    except ValueError:  # no word is left once the rare and the common ones are put aside
        return []
    themes = min(themes, weights.shape[1], len(items) - 1)
    if themes < 2:
        return []
    model = NMF(n_components=themes, init="nndsvda", random_state=SEED, max_iter=400)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        shares = model.fit_transform(weights)
    words = vectorizer.get_feature_names_out()
    found = []
    for component in model.components_:
        top = np.argsort(-component, kind="stable")[:TOP_TERMS]
        found.append(FoundTheme(language, [str(words[i]) for i in top if component[i] > 0]))
    for item, row in zip(items, shares, strict=True):
        best = int(np.argmax(row))
        if row[best] <= 1e-9:
            continue
        found[best].distinct += 1
        weight = round(float(row[best]), 6)
        found[best].members.extend((response_id, weight) for response_id in item.response_ids)
    return [theme for theme in found if theme.members and theme.terms]


def find_themes(found: list[Representative]) -> list[FoundTheme]:
    """The themes of a question's distinct texts, language by language, the largest first."""
    result = []
    for language, items in by_language(found).items():
        if len(items) >= MIN_TEXTS:
            result.extend(fit(items, language, theme_count(len(items))))
    result.sort(key=lambda theme: (theme.language or "~", -len(theme.members), theme.terms))
    return result
