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
"""

from collections import Counter

import numpy as np
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
        # One row per feature: the weights of a text's n-grams are gathered by row.
        self.weights = np.ascontiguousarray(estimator.coef_.T, dtype=np.float64)
        self.intercept = np.asarray(estimator.intercept_, dtype=np.float64)
        self.a = np.array([c.a_ for c in calibrated.calibrators], dtype=np.float64)
        self.b = np.array([c.b_ for c in calibrated.calibrators], dtype=np.float64)
        self.classes = pipeline.classes_

    def proba(self, text):
        """The probability of each class (in ``self.classes`` order)."""
        scores = self.intercept.copy()
        for analyzer, vocabulary, idf, offset in self.blocks:
            counts = Counter(i for i in map(vocabulary.get, analyzer(text)) if i is not None)
            if not counts:
                continue
            index = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
            values = np.fromiter(counts.values(), dtype=np.float64, count=len(counts)) * idf[index]
            values /= np.sqrt(values @ values)
            scores += values @ self.weights[offset + index]
        calibrated = expit(-(self.a * scores + self.b))
        if len(self.classes) == 2:
            return np.array([1.0 - calibrated[0], calibrated[0]])
        total = calibrated.sum()
        if total == 0:
            return np.full(len(self.classes), 1 / len(self.classes))
        return calibrated / total
