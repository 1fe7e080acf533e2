"""The grouping itself, on texts alone: what joins a group, what does not, and the added text."""

import random

from benchmarks.campaign_corpus import bcubed, make_corpus
from benchmarks.campaigns import quality
from consultation.campaigns import grouping, minhash
from consultation.campaigns.added import added_text
from consultation.campaigns.variants import cut, reorder, swap_words

TEMPLATE = (
    "Protect our data! The EU must guarantee that data about citizens is never sold or shared "
    "without explicit consent. Simplification must not lower protection."
)
OTHERS = [
    "Our cooperative runs twelve wind turbines and wants hourly congestion forecasts published.",
    "Researchers at our university cannot reach hospital waiting-time data across borders.",
    "The customs portal goes offline every Friday afternoon, which blocks our small exports.",
]


def groups_of(texts):
    return [sorted(item for item, _ in group.members) for group in grouping.group_texts(texts)]


def test_variants_join_the_template_and_other_texts_do_not():
    rng = random.Random(4)
    copies = [
        TEMPLATE,
        TEMPLATE.upper(),
        swap_words(rng, TEMPLATE, 0.25),
        reorder(rng, TEMPLATE),
        cut(TEMPLATE),
        TEMPLATE + " I am a nurse and I see every day how health data is handled carelessly.",
    ]
    assert groups_of(copies + OTHERS) == [[0, 1, 2, 3, 4, 5]]


def test_a_chain_of_overlapping_texts_is_not_one_group():
    """A shares half of B, B half of C; A and C share nothing: C must not join A's group."""
    words = [f"w{i}" for i in range(60)]

    def text(start):
        return " ".join(words[start : start + 20]) + "."

    a, b, c = text(0), text(10), text(20)
    found = groups_of([a, a, a, b, c, c, c])
    assert [0, 1, 2] in found and [4, 5, 6] in found
    assert not any({0, 4} <= set(group) for group in found)


def test_the_same_texts_give_the_same_groups():
    corpus = make_corpus(800, campaigns=6, seed=9)
    first = grouping.group_texts(corpus.texts)
    again = grouping.group_texts(list(corpus.texts))
    assert [(g.template, g.members) for g in first] == [(g.template, g.members) for g in again]
    labels = [None] * len(corpus.texts)
    for number, group in enumerate(first):
        for item, _ in group.members:
            labels[item] = number
    precision, recall = bcubed(corpus.campaign, labels)
    assert precision >= 0.95 and recall >= 0.9


def test_one_permutation_signatures_estimate_jaccard_as_the_textbook_ones_do():
    rng = random.Random(2)
    pairs = [(TEMPLATE, swap_words(rng, TEMPLATE, share)) for share in (0.1, 0.2, 0.3)]
    pairs += [(TEMPLATE, OTHERS[0])]
    for left, right in pairs:
        shingled = minhash.shingle([minhash.tokens(left), minhash.tokens(right)])
        a, b = set(shingled.of(0).tolist()), set(shingled.of(1).tolist())
        true = len(a & b) / len(a | b)
        for make in (minhash.signatures, minhash.signatures_classic):
            sig = make(shingled)
            assert abs((sig[0] == sig[1]).mean() - true) < 0.2


def test_added_text_is_the_members_own_sentences():
    rng = random.Random(3)
    own = "My daughter's school app shares her location with advertisers, which shocked me."
    assert added_text(f"{swap_words(rng, TEMPLATE, 0.25)} {own}", TEMPLATE) == own
    assert added_text(f"{own} {TEMPLATE}", TEMPLATE) == own
    assert added_text(reorder(rng, TEMPLATE), TEMPLATE) is None


def test_the_quality_benchmark_runs():
    body = quality(600)
    assert "B-cubed precision" in body and "synonyms" in body
