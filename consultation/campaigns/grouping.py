"""Grouping near-identical texts into campaigns: LSH candidates, checked against a centre.

1. Identical texts (after case, spacing and punctuation) are one text with a weight.
2. MinHash signatures (``minhash``) are cut into ``BANDS`` bands of ``ROWS`` values;
   texts that agree on a whole band are candidates. Each candidate pair whose
   signatures agree on at least ``EDGE_AGREEMENT`` of their values (an estimate of
   their Jaccard similarity) links the two texts; linked texts form components.
3. A component is not a group: a chain of texts each close to the next can join
   two unrelated ones. In each component, the most central text (the one whose
   signature is closest to the component's most common value in every position)
   is the template; a text joins its group only if its own similarity *to the
   template* (``similarity``, computed on the real shingle sets) reaches
   ``THRESHOLD``. What is left is grouped again the same way.
4. Texts in no group are compared once more with every template, through finer
   bands (``ATTACH_ROWS``), so that a copy found by no other copy still joins.

The similarity of a text to its template is the largest of their Jaccard
similarity, the share of the template found in the text (a copy with a sentence
of the respondent's own, when the text is at most ``ADDED_MAX`` times the template's
size) and the share of the text found in the template (a copy
cut short, when it keeps at least ``CUT_SHARE`` of the template).
"""

from array import array
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from . import minhash

ROWS = 4
BANDS = 32
ATTACH_ROWS = 2
EDGE_AGREEMENT = 0.3
THRESHOLD = 0.6
CUT_SHARE = 0.5
#: The template counts as found in a longer text only if that text is at most this many times
#: its size: a sentence or two added, not a long essay that quotes one sentence.
ADDED_MAX = 2.0
#: Texts with fewer words than this are grouped only with identical ones.
MIN_WORDS = 6
#: A component is split at most this many times without finding a group before giving up.
MAX_FRUITLESS = 50


@dataclass
class Group:
    """Texts that copy one template: indexes into the texts given, with their similarity."""

    template: int
    members: list[tuple[int, float]] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.members)


def group_texts(texts: list[str | None], *, threshold: float = THRESHOLD) -> list[Group]:
    """The groups of two or more near-identical ``texts``, largest first."""
    # Each distinct text once, as word numbers in one compact array: a million texts hold
    # tens of millions of words, too many to keep as Python strings.
    distinct: dict[int, int] = {}
    short: dict[str, list[int]] = {}
    vocabulary: dict[str, int] = {}
    words_of = array("I")
    lengths = array("q")
    owner = np.empty(len(texts), dtype=np.int64)
    for index, text in enumerate(texts):
        words = minhash.tokens(text)
        if len(words) < MIN_WORDS:
            owner[index] = -1
            if words:
                short.setdefault(" ".join(words), []).append(index)
            continue
        key = hash(" ".join(words))  # 64 bits: two different texts practically never share one
        found = distinct.get(key)
        if found is None:
            found = distinct[key] = len(lengths)
            words_of.extend(vocabulary.setdefault(word, len(vocabulary)) for word in words)
            lengths.append(len(words))
        owner[index] = found
    del distinct, vocabulary
    # Short texts are grouped only when identical (case, spacing and punctuation aside).
    exact = [
        Group(items[0], [(item, 1.0) for item in items])
        for items in short.values()
        if len(items) > 1
    ]
    if not lengths:
        return sorted(exact, key=lambda g: (-g.size, g.template))
    weights = np.bincount(owner[owner >= 0], minlength=len(lengths))
    shingled = minhash.shingle_ids(
        np.frombuffer(words_of, dtype=np.uint32),
        np.frombuffer(lengths, dtype=np.int64),
    )
    del words_of, lengths
    sig = minhash.signatures(shingled)
    doc_groups = cluster(sig, shingled, weights, threshold)
    found = _to_texts(doc_groups, owner, texts)
    return sorted(found + exact, key=lambda g: (-g.size, g.template))


def _to_texts(doc_groups, owner, texts) -> list[Group]:
    """Groups of distinct texts back as groups of the texts given (identical ones together).

    The template is the most frequent form, as typed, of the central text's copies (the
    one most people sent, not a copy in capitals that happened to come first)."""
    items_of: dict[int, list[int]] = {}
    order = np.argsort(owner, kind="stable")
    sorted_owner = owner[order]
    wanted = np.array(sorted({d for group in doc_groups for d in group[1]}), dtype=np.int64)
    if len(wanted):
        left = np.searchsorted(sorted_owner, wanted, side="left")
        right = np.searchsorted(sorted_owner, wanted, side="right")
        for doc, lo, hi in zip(wanted.tolist(), left.tolist(), right.tolist(), strict=True):
            items_of[doc] = order[lo:hi].tolist()
    groups = []
    for template_doc, similarities in doc_groups:
        copies = items_of[template_doc]
        forms = Counter(texts[item] for item in copies)
        common = max(forms.items(), key=lambda form: form[1])[0]
        group = Group(template=next(item for item in copies if texts[item] == common))
        for doc, similarity in similarities.items():
            group.members.extend((item, similarity) for item in items_of[doc])
        if group.size >= 2:
            group.members.sort()
            groups.append(group)
    groups.sort(key=lambda g: (-g.size, g.template))
    return groups


def _band_key(sig: np.ndarray, rows: int, band: int, subset=None) -> np.ndarray:
    """One 64-bit key per text for band ``band`` of ``rows`` signature values (one band at a
    time: all bands of a million texts at once would take a gigabyte)."""
    rng = np.random.default_rng(7)
    weights = rng.integers(1, 2**63, size=rows, dtype=np.uint64) | np.uint64(1)
    key = np.zeros(sig.shape[0] if subset is None else len(subset), dtype=np.uint64)
    for row in range(rows):
        column = sig[:, band * rows + row]
        if subset is not None:  # ``subset``'s rows only, without a copy of their signatures
            column = column[subset]
        key = key * np.uint64(31) + column.astype(np.uint64) * weights[row]
    return key


def _agreement(sig: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """The share of signature values two texts agree on (estimates their Jaccard similarity)."""
    result = np.empty(len(left), dtype=np.float32)
    step = 200_000
    for start in range(0, len(left), step):
        a, b = left[start : start + step], right[start : start + step]
        result[start : start + step] = (sig[a] == sig[b]).mean(axis=1)
    return result


def _components(sig: np.ndarray) -> np.ndarray:
    """A component label per text, from the candidate pairs of the bands that pass the check."""
    count = sig.shape[0]
    labels = np.arange(count, dtype=np.int64)
    for band in range(sig.shape[1] // ROWS):
        column = _band_key(sig, ROWS, band)
        order = np.argsort(column, kind="stable")
        same = column[order[1:]] == column[order[:-1]]
        left, right = order[:-1][same], order[1:][same]
        if not len(left):
            continue
        close = _agreement(sig, left, right) >= EDGE_AGREEMENT
        _union(labels, left[close], right[close])
    return labels


def _union(labels: np.ndarray, left: np.ndarray, right: np.ndarray) -> None:
    """Merge the components of each pair (min-label propagation with pointer jumping)."""
    while len(left):
        a, b = labels[left], labels[right]
        low = np.minimum(a, b)
        np.minimum.at(labels, a, low)
        np.minimum.at(labels, b, low)
        while True:
            jumped = labels[labels]
            if np.array_equal(jumped, labels):
                break
            labels[:] = jumped
        unresolved = labels[left] != labels[right]
        left, right = left[unresolved], right[unresolved]


#: Texts compared with a template at a time: bounds the memory of one comparison.
COMPARE_DOCS = 5_000


def similarities(shingled, template: int, docs: np.ndarray) -> np.ndarray:
    """The similarity of each of ``docs`` to ``template``, on their real shingle sets."""
    base = shingled.of(template)
    sizes = shingled.sizes()[docs]
    if not len(docs) or not sizes.sum():
        return np.zeros(len(docs))
    shared = np.zeros(len(docs), dtype=np.int64)
    for first in range(0, len(docs), COMPARE_DOCS):
        part = docs[first : first + COMPARE_DOCS]
        flat = np.concatenate([shingled.of(doc) for doc in part.tolist()])
        if not len(flat):
            continue
        found = np.isin(flat, base).astype(np.int64)
        part_sizes = sizes[first : first + COMPARE_DOCS]
        offsets = np.zeros(len(part), dtype=np.int64)
        np.cumsum(part_sizes[:-1], out=offsets[1:])
        # reduceat reads one value for an empty run: those are set to 0 after.
        counted = np.add.reduceat(found, np.minimum(offsets, len(found) - 1))
        shared[first : first + COMPARE_DOCS] = np.where(part_sizes > 0, counted, 0)
    base_size = len(base)
    jaccard = shared / (sizes + base_size - shared)
    template_found = np.where(sizes <= ADDED_MAX * base_size, shared / base_size, 0.0)
    text_found = np.where(sizes >= CUT_SHARE * base_size, shared / np.maximum(sizes, 1), 0.0)
    return np.maximum(jaccard, np.maximum(template_found, text_found))


def _centre(sig: np.ndarray, docs: np.ndarray, weights: np.ndarray) -> int:
    """The text of ``docs`` whose signature agrees most with the most common value of each
    position (identical copies counted by their weight): the group's most central text."""
    block = sig[docs]
    mode = np.empty(block.shape[1], dtype=block.dtype)
    w = weights[docs]
    for column in range(block.shape[1]):
        values, inverse = np.unique(block[:, column], return_inverse=True)
        mode[column] = values[np.argmax(np.bincount(inverse, weights=w))]
    agreement = (block == mode[None, :]).sum(axis=1) * 1_000_000 + np.minimum(w, 999_999)
    return int(docs[int(np.argmax(agreement))])


def cluster(sig, shingled, weights, threshold=THRESHOLD) -> list[tuple[int, dict[int, float]]]:
    """Groups of distinct texts: (template, {text: similarity}), the template included."""
    labels = _components(sig)
    order = np.argsort(labels, kind="stable")
    boundaries = np.nonzero(np.diff(labels[order]))[0] + 1
    groups = []
    for component in np.split(order, boundaries):
        if len(component) < 2:
            continue
        groups.extend(_split(sig, shingled, weights, component, threshold))
    _attach(sig, shingled, groups, threshold)
    # Identical copies of a text close to no other: a group of their own.
    grouped = np.zeros(sig.shape[0], dtype=bool)
    for _template, members in groups:
        grouped[list(members)] = True
    for doc in np.nonzero(~grouped & (weights >= 2))[0].tolist():
        groups.append((doc, {doc: 1.0}))
    return groups


def _split(sig, shingled, weights, docs, threshold):
    """Peel groups off one component: a centre, the texts close enough to it, then the rest."""
    found, fruitless = [], 0
    while len(docs) >= 2 and fruitless < MAX_FRUITLESS:
        centre = _centre(sig, docs, weights)
        scores = similarities(shingled, centre, docs)
        joined = (scores >= threshold) | (docs == centre)
        if weights[docs[joined]].sum() >= 2:
            found.append(
                (centre, dict(zip(docs[joined].tolist(), scores[joined].tolist(), strict=True)))
            )
        else:
            fruitless += 1
        docs = docs[~joined]
    return found


def _attach(sig, shingled, groups, threshold) -> None:
    """Compare the texts in no group with every template, through finer bands."""
    if not groups:
        return
    grouped = np.zeros(sig.shape[0], dtype=bool)
    for _template, members in groups:
        grouped[list(members)] = True
    loose = np.nonzero(~grouped)[0]
    if not len(loose):
        return
    templates = np.array([template for template, _ in groups], dtype=np.int64)
    # Each candidate (template, loose text) packed in one int64, the group's number above:
    # sorted, the pairs come group by group, and repeats over the bands go in one pass.
    packed = []
    for band in range(sig.shape[1] // ATTACH_ROWS):
        column = _band_key(sig, ATTACH_ROWS, band, templates)
        asked = _band_key(sig, ATTACH_ROWS, band, loose)
        order = np.argsort(column, kind="stable")
        sorted_keys = column[order]
        where = np.searchsorted(sorted_keys, asked)
        where = np.minimum(where, len(sorted_keys) - 1)
        hit = sorted_keys[where] == asked
        # Templates are distinct texts; two sharing a band key are rare: the first one is asked.
        packed.append((order[where[hit]] << 32) | np.nonzero(hit)[0])
    pairs = np.unique(np.concatenate(packed))
    del packed
    if not len(pairs):
        return
    group_of = pairs >> 32
    cuts = np.nonzero(np.diff(group_of))[0] + 1
    best: dict[int, tuple[float, int]] = {}
    for chunk, group_index in zip(
        np.split(pairs & 0xFFFFFFFF, cuts), group_of[np.r_[0, cuts]].tolist(), strict=True
    ):
        candidates = loose[chunk]
        scores = similarities(shingled, groups[group_index][0], candidates)
        for doc, score in zip(candidates.tolist(), scores.tolist(), strict=True):
            if score >= threshold and score > best.get(doc, (0.0, -1))[0]:
                best[doc] = (score, group_index)
    for doc, (score, group_index) in best.items():
        groups[group_index][1][doc] = score
