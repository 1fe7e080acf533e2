"""Test corpora with planted campaigns, and the B-cubed scores of a grouping against them.

Organic answers are sentences drawn from a vocabulary of made-up words with a
Zipf distribution (a few words very common, most rare) mixed with real English
function words, so unrelated answers share words as real ones do. Each planted
campaign has a template of two to five sentences; its copies are variants
(``consultation.campaigns.variants``): exact copies with case and punctuation
changed, synonym swaps of 10-25 % of the words (every content word has two or
three synonyms, themselves made-up words), sentences reordered, a personal
sentence added, and the text cut to 70 %.
"""

import random
from collections import Counter, defaultdict
from dataclasses import dataclass

from consultation.campaigns import variants

KINDS = ("exact", "synonyms", "reordered", "added", "cut")
FUNCTION_WORDS = (
    "the of and to in a is that for it as with be on not this are by at or from have an "
    "but which we our all can more their should will has they would about there been"
).split()
SYLLABLES = "ka lo mi ne ru sa te vi do pa ge fi bu zo ra li mo nu se ta ve di po gu".split()


@dataclass
class Corpus:
    texts: list[str]
    #: The planted campaign of each text (its index), or None for an organic answer.
    campaign: list[int | None]
    #: The kind of copy of each text ("template" for the original), None when organic.
    kind: list[str | None]


class _Words:
    def __init__(self, rng, size):
        made = set()
        self.words = []
        while len(self.words) < size:
            word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
            if word not in made:
                made.add(word)
                self.words.append(word)
        total, self.cumulative = 0.0, []
        for rank in range(size):
            total += 1 / (rank + 1) ** 1.05
            self.cumulative.append(total)
        self.synonyms = {}
        for word in self.words:
            self.synonyms[word] = [word[::-1] + rng.choice(SYLLABLES) for _ in range(3)]
        self.rng = rng

    def sentence(self, length):
        rng = self.rng
        content = rng.choices(self.words, cum_weights=self.cumulative, k=length)
        out = []
        for word in content:
            out.append(word)
            if rng.random() < 0.45:
                out.append(rng.choice(FUNCTION_WORDS))
        text = " ".join(out)
        return text[0].upper() + text[1:] + rng.choice(".....!?")

    def text(self, sentences):
        return " ".join(self.sentence(self.rng.randint(6, 14)) for _ in range(sentences))


def make_corpus(
    size: int,
    *,
    campaign_share: float = 0.5,
    campaigns: int = 40,
    seed: int = 1,
    vocabulary: int = 20_000,
) -> Corpus:
    """``size`` answers, ``campaign_share`` of them copies of ``campaigns`` planted templates
    (sizes skewed: a few large campaigns, many small ones), shuffled."""
    rng = random.Random(seed)
    words = _Words(rng, vocabulary)
    templates = [words.text(rng.randint(2, 5)) for _ in range(campaigns)]
    weights = [1 / (rank + 1) ** 0.8 for rank in range(campaigns)]
    copies = round(size * campaign_share)
    sizes = [max(2, round(copies * w / sum(weights))) for w in weights]
    texts, labels, kinds = [], [], []
    for index, (template, count) in enumerate(zip(templates, sizes, strict=True)):
        texts.append(template)
        labels.append(index)
        kinds.append("template")
        for _ in range(count - 1):
            kind = rng.choice(KINDS)
            personal = [words.text(1)]
            texts.append(variants.variant(rng, template, kind, words.synonyms, personal))
            labels.append(index)
            kinds.append(kind)
    while len(texts) < size:
        texts.append(words.text(rng.randint(1, 4)))
        labels.append(None)
        kinds.append(None)
    order = list(range(len(texts)))
    rng.shuffle(order)
    return Corpus([texts[i] for i in order], [labels[i] for i in order], [kinds[i] for i in order])


def bcubed(truth: list, predicted: list, among=None) -> tuple[float, float]:
    """B-cubed precision and recall of ``predicted`` against ``truth`` (a cluster label per
    item; None is a cluster of its own), averaged over the items ``among`` (all by default)."""
    truth = [("t", i) if t is None else t for i, t in enumerate(truth)]
    predicted = [("p", i) if p is None else p for i, p in enumerate(predicted)]
    pair_counts = Counter(zip(truth, predicted, strict=True))
    truth_sizes, predicted_sizes = Counter(truth), Counter(predicted)
    items = range(len(truth)) if among is None else among
    precision = recall = 0.0
    count = 0
    for i in items:
        shared = pair_counts[(truth[i], predicted[i])]
        precision += shared / predicted_sizes[predicted[i]]
        recall += shared / truth_sizes[truth[i]]
        count += 1
    return (precision / count, recall / count) if count else (1.0, 1.0)


def found_in_campaign(corpus: Corpus, predicted: list) -> dict:
    """For each kind of copy: the share placed in the group holding most of its campaign."""
    home = {}
    by_campaign = defaultdict(Counter)
    for label, group in zip(corpus.campaign, predicted, strict=True):
        if label is not None and group is not None:
            by_campaign[label][group] += 1
    for label, counter in by_campaign.items():
        home[label] = counter.most_common(1)[0][0]
    totals, found = Counter(), Counter()
    for label, kind, group in zip(corpus.campaign, corpus.kind, predicted, strict=True):
        if label is None:
            continue
        totals[kind] += 1
        found[kind] += group is not None and group == home.get(label)
    return {kind: found[kind] / totals[kind] for kind in totals}


def make_english_corpus(size: int, *, campaign_share: float = 0.3, seed: int = 1) -> Corpus:
    """The demo's English texts: its three campaign texts, copied with each kind of variant
    (synonyms from ``variants.SYNONYMS``, personal sentences from ``variants.PERSONAL``),
    among answers written as the demo writes them (``reports.sample_text.long_text``)."""
    from types import SimpleNamespace

    from consultation.reports import sample_text

    rng = random.Random(seed)
    question = SimpleNamespace(max_length=5000)
    templates = [text for text, _ in sample_text.CAMPAIGNS]
    weights = [weight for _, weight in sample_text.CAMPAIGNS]
    texts, labels, kinds = [], [], []
    for _ in range(size):
        if rng.random() < campaign_share:
            index = rng.choices(range(len(templates)), weights)[0]
            kind = rng.choice(KINDS)
            texts.append(variants.variant(rng, templates[index], kind))
            labels.append(index)
            kinds.append(kind)
        else:
            texts.append(sample_text.long_text(rng, question))
            labels.append(None)
            kinds.append(None)
    return Corpus(texts, labels, kinds)
