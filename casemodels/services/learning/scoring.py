"""The fitted pipeline's probabilities for one text, without scikit-learn's
per-call machinery.

``pipeline.predict_proba([text])`` spends most of its ~10 ms checking its
input (sixteen array validations for one short text); the arithmetic is a
dictionary look-up per character n-gram and a few hundred multiplications.
``Scorer`` reads the fitted weights once and does only the arithmetic:
for each block of ``features.build_pipeline`` the raw n-gram counts times
the idf, L2-normalised; the linear SVM's scores; each item's sigmoid; the
probabilities normalised to sum to 1 (as ``CalibratedClassifierCV`` with
``method="sigmoid"`` does). ``tests/casemodels/test_learning.py`` checks it
against ``predict_proba``.

The weights are kept as they are stored (``features.shrink``): pruned,
sparse, single precision; here a CSR matrix with one row per feature, from
which a text's n-grams take their rows in one selection, summed weighted by
their TF-IDF values. For a directory of 2,000 items (42,165 features) the
dense float64 matrix this replaced kept 643 MiB in every web process; the
CSR matrix keeps 26 MiB, the whole scorer with its vocabularies 32 MiB
(``benchmarks/bench_dispatch_scale.py``; figures in benchmarks/RESULTS.md).
The rows of common n-grams are nearly full (an n-gram every item's cases
use has a weight for most items), so a text gathers about half as many
entries as from the dense matrix, at a higher cost per entry: a
probability takes about twice as long (0.29 against 0.15 ms there, 0.4
against 0.3 ms with the 7 items of the real messages), against the
several milliseconds of a suggestion.
"""

from collections import Counter

import numpy as np
from scipy import sparse
from scipy.special import expit


class Scorer:
    def __init__(self, pipeline):
        self.blocks = []
        offset = 0
        for _name, vectorizer in pipeline.named_steps["features"].transformer_list:
            size = len(vectorizer.idf_)
            self.blocks.append((vectorizer.build_analyzer(), vectorizer.vocabulary_,
                                np.asarray(vectorizer.idf_, dtype=np.float64), offset))
            offset += size
        [calibrated] = pipeline.named_steps["classifier"].calibrated_classifiers_
        estimator = calibrated.estimator
        # One row per feature, sparse: the weights of a text's n-grams are gathered by row.
        self.weights = sparse.csr_array(estimator.coef_.T, dtype=np.float32)
        self.intercept = np.asarray(estimator.intercept_, dtype=np.float64)
        self.a = np.array([c.a_ for c in calibrated.calibrators], dtype=np.float64)
        self.b = np.array([c.b_ for c in calibrated.calibrators], dtype=np.float64)
        self.classes = pipeline.classes_

    def proba(self, text):
        """The probability of each class (in ``self.classes`` order)."""
        rows, values = [], []
        for analyzer, vocabulary, idf, offset in self.blocks:
            counts = Counter(i for i in map(vocabulary.get, analyzer(text)) if i is not None)
            if not counts:
                continue
            index = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
            tfidf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts)) * idf[index]
            rows.append(offset + index)
            values.append(tfidf / np.sqrt(tfidf @ tfidf))
        scores = self.intercept.copy()
        if rows:
            # The rows of the text's n-grams, gathered at once (CSR), weighted by their TF-IDF values.
            scores += np.concatenate(values) @ self.weights[np.concatenate(rows)]
        calibrated = expit(-(self.a * scores + self.b))
        if len(self.classes) == 2:
            return np.array([1.0 - calibrated[0], calibrated[0]])
        total = calibrated.sum()
        if total == 0:
            return np.full(len(self.classes), 1 / len(self.classes))
        return calibrated / total
