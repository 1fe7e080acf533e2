"""Word shingles and MinHash signatures of many texts at once, vectorised with numpy.

A text becomes the set of its words and of its pairs of adjacent words
(``SHINGLE_SIZES``), after case, spacing and punctuation are ignored
(``responses.fingerprint.normalise_text``). Single words keep a copy whose
words were swapped for synonyms close to its template (a swap of a quarter of
the words keeps three quarters of the words but only about half of the
pairs); pairs keep texts on the same subject, which share many words, apart.

Shingles are hashed to 64 bits from a vocabulary built for the run (so the
same texts give the same hashes in any process), and each of ``PERMUTATIONS``
min-wise hash functions ``(a * x + b) >> 32`` keeps its smallest value over a
text's shingles. Done for a block of texts at a time, as one numpy array
operation, this is what lets a million answers be signed in a minute.
"""

import re
import unicodedata
from dataclasses import dataclass

import numpy as np

SHINGLE_SIZES = (1, 2)
PERMUTATIONS = 128
#: Shingles hashed per numpy block: bounds the memory of one step (block x PERMUTATIONS x 8 B).
BLOCK_SHINGLES = 4_000
_SEED = 20260516
_HASH_BITS = np.uint64(40)
_HASH_MASK = np.uint64((1 << 40) - 1)
#: Texts one run can hold: the text's number takes the 24 bits above a shingle's hash.
MAX_TEXTS = 1 << 24
_MIX = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


_WORDS = re.compile(r"[^\W_]+")


def tokens(text: str | None) -> list[str]:
    """The words of ``text``, casefolded: what is neither a letter nor a digit separates them.

    Nearly what the identical-text fingerprint (``normalise_text``) keeps, by a regular
    expression instead of a test of each character: ten times faster.
    """
    if not text:
        return []
    return _WORDS.findall(unicodedata.normalize("NFKC", text).casefold())


def _splitmix(values: np.ndarray) -> np.ndarray:
    """A 64-bit mixing of ``values`` (uint64): neighbouring inputs give unrelated outputs."""
    z = values + _MIX
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


@dataclass
class Shingled:
    """The shingles of many texts: one sorted, duplicate-free run of hashes per text."""

    #: Every text's shingle hashes, one after the other (uint64).
    hashes: np.ndarray
    #: Where each text's run starts in ``hashes``; ``starts[i + 1]`` is where it ends.
    starts: np.ndarray

    def __len__(self) -> int:
        return len(self.starts) - 1

    def sizes(self) -> np.ndarray:
        return np.diff(self.starts)

    def of(self, index: int) -> np.ndarray:
        return self.hashes[self.starts[index] : self.starts[index + 1]]


def shingle(token_lists: list[list[str]]) -> Shingled:
    """The shingle hashes of each token list, in one pass over all of them."""
    vocabulary: dict[str, int] = {}
    ids = np.fromiter(
        (vocabulary.setdefault(word, len(vocabulary)) for words in token_lists for word in words),
        dtype=np.uint64,
    )
    lengths = np.fromiter((len(words) for words in token_lists), dtype=np.int64)
    return shingle_ids(ids, lengths)


#: Texts shingled (and signed) at a time: bounds the memory of the intermediate arrays
#: (some ten arrays of 8 bytes a word; 10,000 texts are large enough for numpy's speed).
CHUNK_TEXTS = 10_000


def shingle_ids(ids: np.ndarray, lengths: np.ndarray) -> Shingled:
    """The shingles of texts given as word numbers (``ids``, one text after the other)."""
    if len(lengths) > MAX_TEXTS:
        raise ValueError(f"at most {MAX_TEXTS} texts at once")
    ends = np.cumsum(lengths)
    # Room for every shingle a text can have; the pages never written take no memory.
    hashes = np.empty(int(ends[-1]) * len(SHINGLE_SIZES) if len(ends) else 0, dtype=np.uint64)
    filled, counts = 0, []
    for first in range(0, len(lengths), CHUNK_TEXTS):
        last = min(first + CHUNK_TEXTS, len(lengths))
        begin = ends[first - 1] if first else 0
        words = ids[begin : ends[last - 1]].astype(np.uint64)  # widened a chunk at a time
        chunk = _shingle_chunk(words, lengths[first:last])
        hashes[filled : filled + len(chunk.hashes)] = chunk.hashes
        filled += len(chunk.hashes)
        counts.append(chunk.sizes())
    starts = np.zeros(len(lengths) + 1, dtype=np.int64)
    if counts:
        np.cumsum(np.concatenate(counts), out=starts[1:])
    return Shingled(hashes[:filled], starts)


def _shingle_chunk(ids: np.ndarray, lengths: np.ndarray) -> Shingled:
    ends = np.cumsum(lengths)
    owners = np.repeat(np.arange(len(lengths)), lengths)
    position = np.arange(len(ids)) - np.repeat(ends - lengths, lengths)
    parts_h, parts_o = [], []
    for size in SHINGLE_SIZES:
        valid = position + size <= np.repeat(lengths, lengths)
        start = np.nonzero(valid)[0]
        combined = np.full(len(start), np.uint64(size), dtype=np.uint64)
        for offset in range(size):
            combined = combined * np.uint64(1_000_003) + ids[start + offset]
        parts_h.append(_splitmix(combined))
        parts_o.append(owners[start])
    # One sort of (text, hash) packed in 64 bits: the text in the top 24 bits, 40 bits of
    # hash below (a collision of two shingles of one text is one in a trillion). Then
    # repeats go, and each text's run is a sorted set.
    packed = np.concatenate(
        [
            (o.astype(np.uint64) << _HASH_BITS) | (h >> np.uint64(64 - 40))
            for h, o in zip(parts_h, parts_o, strict=True)
        ]
    )
    del parts_h, parts_o
    packed.sort()
    keep = np.ones(len(packed), dtype=bool)
    keep[1:] = packed[1:] != packed[:-1]
    packed = packed[keep]
    counts = np.bincount((packed >> _HASH_BITS).astype(np.int64), minlength=len(lengths))
    hashes = packed & _HASH_MASK
    del packed
    starts = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    return Shingled(hashes, starts)


def _permutations(count: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(_SEED)
    a = rng.integers(1, 2**63, size=count, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, size=count, dtype=np.uint64)
    return a, b


def signatures(shingled: Shingled, bins: int = PERMUTATIONS) -> np.ndarray:
    """One MinHash signature (``bins`` uint32 values) per text, by one-permutation hashing.

    Each shingle's hash chooses a bin (its top bits) and offers a value (its low 32
    bits); a bin keeps its smallest value. A bin no shingle fell in borrows the value
    of the next filled bin to its right (going round), mixed with the distance, so two
    texts agree on it only where they would agree on the bin it borrowed from
    ("densified" one-permutation hashing, Shrivastava and Li, 2014). One hash per
    shingle instead of one per shingle and permutation: ``signatures_classic`` gives
    the same estimates at many times the cost (``benchmarks/RESULTS.md``).
    """
    if bins & (bins - 1):
        raise ValueError("bins must be a power of two")
    sizes = shingled.sizes()
    if (sizes == 0).any():
        raise ValueError("every text needs at least one shingle")
    count = len(shingled)
    result = np.full((count, bins), _EMPTY, dtype=np.uint32)
    shift = np.uint64(40 - bins.bit_length() + 1)
    for first in range(0, count, CHUNK_TEXTS):
        last = min(first + CHUNK_TEXTS, count)
        hashes = shingled.hashes[shingled.starts[first] : shingled.starts[last]]
        owners = np.repeat(np.arange(last - first, dtype=np.int64), sizes[first:last])
        slot = owners * bins + (hashes >> shift).astype(np.int64)
        del owners
        values = (hashes & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        block = result[first:last].reshape(-1)  # a view: filled in place
        np.minimum.at(block, slot, values)
        del slot, values
        _densify(result[first:last])
    return result


_EMPTY = np.uint32(0xFFFFFFFF)


#: Signatures densified at a time: the step's index arrays take 16 bytes a bin of each.
DENSIFY_ROWS = 4_096


def _densify(block: np.ndarray) -> None:
    """Fill the empty bins of ``block`` (in place) from the next filled bin to their right."""
    for first in range(0, block.shape[0], DENSIFY_ROWS):
        _densify_rows(block[first : first + DENSIFY_ROWS])


def _densify_rows(block: np.ndarray) -> None:
    empty = block == _EMPTY
    if not empty.any():
        return
    bins = block.shape[1]
    doubled = np.concatenate([block, block], axis=1)
    index = np.where(np.concatenate([~empty, ~empty], axis=1), np.arange(2 * bins), 2 * bins)
    following = np.minimum.accumulate(index[:, ::-1], axis=1)[:, ::-1][:, :bins]
    rows, columns = np.nonzero(empty)
    source = following[rows, columns]
    distance = (source - columns).astype(np.uint64)
    borrowed = doubled[rows, source].astype(np.uint64)
    mixed = _splitmix(borrowed * np.uint64(131) + distance) & np.uint64(0xFFFFFFFE)
    block[rows, columns] = mixed.astype(np.uint32)


def signatures_classic(shingled: Shingled, permutations: int = PERMUTATIONS) -> np.ndarray:
    """One MinHash signature per text with ``permutations`` hash functions ``(a x + b) >> 32``:
    the textbook method, kept to measure the one above against."""
    a, b = _permutations(permutations)
    result = np.empty((len(shingled), permutations), dtype=np.uint32)
    starts = shingled.starts
    first = 0
    while first < len(shingled):
        # As many texts as fit in one block (at least one).
        last = int(np.searchsorted(starts, starts[first] + BLOCK_SHINGLES, side="right")) - 1
        last = min(max(last, first + 1), len(shingled))
        block = shingled.hashes[starts[first] : starts[last]]
        hashed = (block[:, None] * a[None, :] + b[None, :]) >> np.uint64(32)
        offsets = starts[first:last] - starts[first]
        result[first:last] = np.minimum.reduceat(hashed, offsets, axis=0)
        first = last
    return result
