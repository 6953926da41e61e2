"""Character n-gram TF-IDF at prediction time, from a vocabulary and idf weights (plain data).

Training fits scikit-learn's TfidfVectorizer (analyzer="char", sublinear tf, l2 norm); the shipped model
keeps only its vocabulary and idf, so loading it does not depend on the scikit-learn version, and this
transform (same n-grams, same weights; a test compares the two) is faster than scikit-learn's analyser.

Counting is vectorised over the batch: every n-gram becomes one integer (its characters' codes as digits),
looked up in the sorted integers of the vocabulary. A plain dict lookup per n-gram is kept for
vocabularies whose integers would not fit in 64 bits.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt
from scipy import sparse

_WHITE_SPACES = re.compile(r"\s\s+")  # what scikit-learn's char analyser collapses

IntArray = npt.NDArray[np.int64]
Counts = tuple[IntArray, IntArray, IntArray]  # CSR indptr, column indices (sorted in a row), counts


class _KeyTable:
    """Non-negative integer keys to columns: open addressing (multiplicative hash, linear probing) in a
    table at most 1/8 full, so a vectorised lookup settles nearly every key at its first slot."""

    _SPREAD = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing

    def __init__(self, columns: dict[int, int]) -> None:
        self._bits = max(4, (8 * len(columns)).bit_length())
        self._mask = (1 << self._bits) - 1
        keys = [-1] * (1 << self._bits)
        values = [-1] * (1 << self._bits)
        slots = self._slots(np.fromiter(columns, dtype=np.int64, count=len(columns))).tolist()
        for (key, column), slot in zip(columns.items(), slots, strict=True):
            while keys[slot] != -1:
                slot = (slot + 1) & self._mask
            keys[slot], values[slot] = key, column
        self._keys = np.array(keys, dtype=np.int64)
        self._columns = np.array(values, dtype=np.int64)

    def _slots(self, keys: IntArray) -> IntArray:
        spread = keys.astype(np.uint64) * self._SPREAD  # wraps around: the point of the hash
        return (spread >> np.uint64(64 - self._bits)).astype(np.int64)

    def get(self, keys: IntArray) -> IntArray:
        """The column of each key, -1 for a key not in the table."""
        slot = self._slots(keys)
        seen = self._keys.take(slot)
        same = seen == keys
        out = np.where(same, self._columns.take(slot), -1)
        todo = np.flatnonzero(~same & (seen != -1))  # collided: probe on
        slot = slot[todo]
        while len(todo):
            slot = (slot + 1) & self._mask
            seen = self._keys[slot]
            hit = seen == keys[todo]
            out[todo[hit]] = self._columns[slot[hit]]
            more = ~hit & (seen != -1)
            todo, slot = todo[more], slot[more]
        return out


@dataclass(frozen=True)
class _GramKeys:
    """The vocabulary as sorted integers: an n-gram's key has its characters' codes (1 .. base-1) as
    base-`base` digits, so keys of different lengths differ too. Code 0 marks a character outside the
    vocabulary, or the gap between two texts: an n-gram holding one cannot be in the vocabulary.
    Single characters are looked up directly by code, longer n-grams in a hash table."""

    alphabet: npt.NDArray[np.uint32]  # sorted code points; code = index + 1
    base: int
    unigrams: IntArray  # column of each code, -1 when that character alone is not in the vocabulary
    longer: _KeyTable  # key of each longer n-gram -> column

    @classmethod
    def build(cls, vocabulary: dict[str, int], max_n: int) -> _GramKeys | None:
        alphabet = sorted(set("".join(vocabulary)))
        base = len(alphabet) + 1
        if base**max_n >= 2**63:
            return None
        code = {ch: i + 1 for i, ch in enumerate(alphabet)}
        unigrams = np.full(base, -1, dtype=np.int64)
        longer: dict[int, int] = {}
        for gram, column in vocabulary.items():
            if len(gram) == 1:
                unigrams[code[gram]] = column
            else:
                longer[sum(code[ch] * base**k for k, ch in enumerate(gram))] = column
        points = np.array([ord(ch) for ch in alphabet], dtype=np.uint32)
        return cls(points, base, unigrams, _KeyTable(longer))

    def _codes(self, points: npt.NDArray[np.uint32]) -> IntArray:
        """The code of each code point (0 outside the alphabet), read from a table indexed by code point."""
        table = self._code_table
        out: IntArray = table[np.minimum(points, len(table) - 1)]
        return out

    @cached_property
    def _code_table(self) -> IntArray:
        """Code of every code point up to the alphabet's last; one more entry, 0, for all points above."""
        size = int(self.alphabet[-1]) + 2 if len(self.alphabet) else 1
        table = np.zeros(size, dtype=np.int64)
        table[self.alphabet.astype(np.int64)] = np.arange(1, len(self.alphabet) + 1, dtype=np.int64)
        return table

    def count(self, texts: Sequence[str], min_n: int, max_n: int, width: int) -> Counts:
        lengths = np.array(list(map(len, texts)), dtype=np.int64) + 1
        return self._count("\0".join(texts), lengths, min_n, max_n, width)

    def count_joined(self, joined: str, min_n: int, max_n: int, width: int) -> Counts:
        """`count` of the texts that `joined` holds, separated by NUL (none of them holds a NUL)."""
        points = _points(joined)
        ends = np.append(np.flatnonzero(points == 0), len(points))  # where each text ends
        return self._count(joined, np.diff(ends, prepend=-1), min_n, max_n, width, points)

    def _count(
        self,
        joined: str,
        lengths: IntArray,
        min_n: int,
        max_n: int,
        width: int,
        points: npt.NDArray[np.uint32] | None = None,
    ) -> Counts:
        """`joined`: the texts, each followed by a separator but the last; `lengths`: the texts' lengths
        plus one; `points`: the code points of `joined`, if already known."""
        # One array for the batch, the texts separated by a position whose code is 0.
        code = self._codes(_points(joined) if points is None else points)
        code[np.cumsum(lengths)[:-1] - 1] = 0
        rows = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)[: len(code)]
        found_cols, found_rows = [], []
        if min_n <= 1:
            col = self.unigrams.take(code)
            keep = col >= 0
            found_cols.append(col[keep])
            found_rows.append(rows[keep])
        keys, key_rows = [], []
        key, ok = code, code > 0
        for n in range(2, max_n + 1):
            key = key[:-1] + code[n - 1 :] * self.base ** (n - 1)
            ok = ok[:-1] & (code[n - 1 :] > 0)
            if n >= min_n:
                keys.append(key[ok])
                key_rows.append(rows[: len(ok)][ok])
        if keys:
            col = self.longer.get(np.concatenate(keys))
            keep = col >= 0
            found_cols.append(col[keep])
            found_rows.append(np.concatenate(key_rows)[keep])
        return _tally(np.concatenate(found_rows), np.concatenate(found_cols), len(lengths), width)


def _points(text: str) -> npt.NDArray[np.uint32]:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _sorted(cells: npt.NDArray[np.int32]) -> npt.NDArray[np.int32]:
    """np.sort(cells) of non-negative int32, as a radix sort: stable sorts on the low 16 bits, then on the
    high ones (numpy sorts 16-bit integers stably by radix; a wider stable sort is a merge sort, a third
    slower here). The sorted integers are the same whatever the algorithm."""
    by_low = cells[np.argsort(cells.astype(np.uint16), kind="stable")]  # astype keeps the low 16 bits
    return by_low[np.argsort((by_low >> 16).astype(np.uint16), kind="stable")]


def _tally(rows: IntArray, cols: IntArray, n_rows: int, width: int) -> Counts:
    """CSR counts of the (row, column) pairs."""
    if n_rows * width < 2**31:
        cells = _sorted((rows * width + cols).astype(np.int32))
    else:
        # The pairs come in a few runs already in row order (one per n-gram length, see _GramKeys.count):
        # the stable sort (timsort) merges such runs, faster than the default sort here.
        cells = np.sort(rows * width + cols, kind="stable")
    new = np.empty(len(cells), dtype=bool)  # where a run of equal cells starts
    new[:1] = True
    np.not_equal(cells[1:], cells[:-1], out=new[1:])
    first = np.flatnonzero(new)
    counts = np.diff(first, append=len(cells))
    cells = cells[first]
    row = cells // width
    indptr = np.searchsorted(row, np.arange(n_rows + 1))
    return indptr.astype(np.int64), (cells - row * width).astype(np.int64), counts.astype(np.int64)


def _prepared(text: str) -> str:
    """What scikit-learn's char analyser reads: the text lower-cased, blank runs collapsed to a space."""
    return _WHITE_SPACES.sub(" ", text.lower())


def _prepared_joined(texts: Sequence[str]) -> str | None:
    """The prepared texts (`_prepared`) joined by NUL, with one lower() and one sub() for the whole batch;
    None when a text holds a NUL. Neither step crosses a NUL: it is not a blank, and the one rule of
    str.lower that looks at neighbours (a final sigma) stops at it (neither cased nor case-ignorable)."""
    joined = "\0".join(texts)
    if joined.count("\0") != len(texts) - 1:
        return None
    return _WHITE_SPACES.sub(" ", joined.lower())


def _l2_rows(data: npt.NDArray[np.float64], indptr: IntArray) -> npt.NDArray[np.float64]:
    """Each CSR row divided by its L2 norm, the squares summed as scipy's row sum does (np.add.reduceat
    over the non-empty rows)."""
    squares = np.zeros(len(indptr) - 1)
    filled = np.flatnonzero(np.diff(indptr))
    if len(filled):
        squares[filled] = np.add.reduceat(data * data, indptr[filled])
    norms = np.sqrt(squares)
    norms[norms == 0] = 1.0
    return data * np.repeat(1.0 / norms, np.diff(indptr))


def _count_by_dict(vocabulary: dict[str, int], texts: Sequence[str], min_n: int, max_n: int) -> Counts:
    """The reference count: every n-gram looked up in the vocabulary."""
    get = vocabulary.get
    indptr = [0]
    indices: list[int] = []
    counts: list[int] = []
    for text in texts:
        length = len(text)
        grams = [text[i : i + n] for n in range(min_n, min(max_n, length) + 1) for i in range(length - n + 1)]
        found = Counter(j for j in map(get, grams) if j is not None)
        for j in sorted(found):
            indices.append(j)
            counts.append(found[j])
        indptr.append(len(indices))
    as_array = np.asarray
    return as_array(indptr, np.int64), as_array(indices, np.int64), as_array(counts, np.int64)


@dataclass
class CharNgrams:
    vocabulary: dict[str, int]
    idf: npt.NDArray[np.float64]
    min_n: int
    max_n: int
    # Built with the vectoriser (~0.35 s for the shipped vocabulary), not on the first screen: a server then
    # pays it at start-up, before its heap is frozen, instead of on its first request.
    _gram_keys: _GramKeys | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._gram_keys = _GramKeys.build(self.vocabulary, self.max_n)

    @classmethod
    def from_sklearn(cls, vectorizer: object) -> CharNgrams:
        low, high = vectorizer.ngram_range  # type: ignore[attr-defined]
        vocab = {str(k): int(v) for k, v in vectorizer.vocabulary_.items()}  # type: ignore[attr-defined]
        idf = np.asarray(vectorizer.idf_, dtype=np.float64)  # type: ignore[attr-defined]
        return cls(vocab, idf, int(low), int(high))

    def counts(self, texts: Sequence[str], exact_by_dict: bool = False) -> Counts:
        """In-vocabulary n-gram counts of each text, after scikit-learn's lower-casing and blank collapsing."""
        keys = None if exact_by_dict else self._gram_keys
        if keys is None:
            return _count_by_dict(self.vocabulary, list(map(_prepared, texts)), self.min_n, self.max_n)
        joined = _prepared_joined(texts)
        if joined is None:
            return keys.count(list(map(_prepared, texts)), self.min_n, self.max_n, len(self.idf))
        return keys.count_joined(joined, self.min_n, self.max_n, len(self.idf))

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        indptr, cols, counts = self.counts(texts)
        data = (np.log(counts.astype(np.float64)) + 1.0) * self.idf[cols]
        return sparse.csr_matrix((_l2_rows(data, indptr), cols, indptr), shape=(len(texts), len(self.idf)))

    def to_dict(self) -> dict[str, object]:
        return {"vocabulary": self.vocabulary, "idf": self.idf, "min_n": self.min_n, "max_n": self.max_n}
