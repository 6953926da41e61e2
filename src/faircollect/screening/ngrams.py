"""Character n-gram TF-IDF at prediction time, from a vocabulary and idf weights (plain data).

Training fits scikit-learn's TfidfVectorizer (analyzer="char", sublinear tf, l2 norm); the shipped model
keeps only its vocabulary and idf, so loading it does not depend on the scikit-learn version, and this
transform (same n-grams, same weights; a test compares the two) is faster than scikit-learn's analyser.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

_WHITE_SPACES = re.compile(r"\s\s+")  # what scikit-learn's char analyser collapses


@dataclass
class CharNgrams:
    vocabulary: dict[str, int]
    idf: npt.NDArray[np.float64]
    min_n: int
    max_n: int

    @classmethod
    def from_sklearn(cls, vectorizer: object) -> CharNgrams:
        low, high = vectorizer.ngram_range  # type: ignore[attr-defined]
        vocab = {str(k): int(v) for k, v in vectorizer.vocabulary_.items()}  # type: ignore[attr-defined]
        idf = np.asarray(vectorizer.idf_, dtype=np.float64)  # type: ignore[attr-defined]
        return cls(vocab, idf, int(low), int(high))

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        get = self.vocabulary.get
        indptr = [0]
        indices: list[int] = []
        counts: list[int] = []
        for text in texts:
            text = _WHITE_SPACES.sub(" ", text.lower())
            length = len(text)
            grams = [
                text[i : i + n]
                for n in range(self.min_n, min(self.max_n, length) + 1)
                for i in range(length - n + 1)
            ]
            found = Counter(j for j in map(get, grams) if j is not None)
            for j in sorted(found):
                indices.append(j)
                counts.append(found[j])
            indptr.append(len(indices))
        cols = np.asarray(indices, dtype=np.int64)
        data = (np.log(np.asarray(counts, dtype=np.float64)) + 1.0) * self.idf[cols]
        matrix = sparse.csr_matrix((data, cols, np.asarray(indptr)), shape=(len(texts), len(self.idf)))
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sparse.csr_matrix(sparse.diags(1.0 / norms) @ matrix)

    def to_dict(self) -> dict[str, object]:
        return {"vocabulary": self.vocabulary, "idf": self.idf, "min_n": self.min_n, "max_n": self.max_n}
