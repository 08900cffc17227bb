"""What the dispatch model sees of a case, and the pipeline that learns from it.

Chosen by measurement (stratified 5-fold cross-validation, three shuffles, on
821 labelled citizen messages of 7 classes; figures in benchmarks/RESULTS.md):

- character unigrams and bigrams of the whole text (TF-IDF): better than
  1–3-grams (0.853 against 0.838 top-1 with the same linear SVM) and a
  third of the size; jieba words were worse (0.788) and words added to the
  characters gained nothing measurable (+0.003, within one standard
  deviation) for a second of dictionary loading and three times the
  prediction time, so the product does not segment words;
- the same of the text's head, its first line cut to 30 characters (what
  intake takes as the title when none is given), as a block of its own: a
  title says what the matter is (+0.012 top-1);
- n-grams seen in one case only are dropped (half the size, same accuracy);
- a linear SVM (C=1), its scores turned into probabilities by a sigmoid per
  item fitted on 5-fold cross-validated scores (``CalibratedClassifierCV``,
  one model kept): a suggestion's confidence is a probability in [0, 1];
- the fitted weights pruned and stored sparse (``shrink``): each item keeps
  its largest weights carrying 99 % of its L1 mass, in single precision, as
  a CSR matrix. For one item among 2,000 most weights are zero already
  (7.5 % are not) and most of the rest tiny: pruning halves what is left
  (4.1 %), the probabilities moving by at most 0.005 and top-1 unchanged
  there (benchmarks/bench_dispatch_scale.py) and on the real messages.

Every function here is at module level, so that a fitted pipeline pickles
by reference to this module (the stored models name it: moving these
functions invalidates them, and a new training replaces them).
"""

import re

import numpy as np

ALGORITHM = "tf-idf char 1-2 (text + head) · linear SVM · sigmoid calibration"
HEAD_LENGTH = 30
MIN_DF = 2
MAX_TEXT_FEATURES = 50_000
MAX_HEAD_FEATURES = 10_000
CALIBRATION_FOLDS = 5
PRUNE_KEEP_MASS = 0.99
_PRUNE_CHUNK = 128  # classes pruned at a time (the sort's copies: 128 × 60,000 × 4 bytes each)

_SPACE = re.compile(r"\s+")


def case_text(title, content):
    """The text learned from a case: its title, then its content (the title
    once, when the content already starts with it)."""
    title, content = (title or "").strip(), (content or "").strip()
    if not title or content.startswith(title):
        return content
    return f"{title}\n{content}"


def normalise(text):
    """White space collapsed, Latin letters in lower case."""
    return _SPACE.sub(" ", text or "").strip().lower()


def head(text):
    """The first line, at most ``HEAD_LENGTH`` characters, normalised."""
    return normalise((text or "").strip().split("\n", 1)[0])[:HEAD_LENGTH]


def build_pipeline(folds=CALIBRATION_FOLDS):
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.svm import LinearSVC

    def chars(preprocessor, max_features):
        return TfidfVectorizer(analyzer="char", ngram_range=(1, 2), preprocessor=preprocessor, min_df=MIN_DF,
                               max_features=max_features, dtype=np.float32)

    features = FeatureUnion([("text", chars(normalise, MAX_TEXT_FEATURES)), ("head", chars(head, MAX_HEAD_FEATURES))])
    classifier = CalibratedClassifierCV(LinearSVC(C=1.0), cv=folds, method="sigmoid", ensemble=False)
    return Pipeline([("features", features), ("classifier", classifier)])


def prune(coef, keep=PRUNE_KEEP_MASS):
    """``coef`` (classes × features) as a CSR matrix in single precision,
    each class's row cut to its largest-magnitude weights that together
    carry ``keep`` of the row's L1 mass (ties at the cut are kept; ``keep``
    of 1 or more keeps every non-zero weight)."""
    from scipy import sparse

    if sparse.issparse(coef):
        coef = coef.toarray()
    coef = np.asarray(coef, dtype=np.float32)
    if keep >= 1:
        return sparse.csr_array(coef)
    rows = []
    for start in range(0, coef.shape[0], _PRUNE_CHUNK):
        block = coef[start:start + _PRUNE_CHUNK]
        magnitude = np.abs(block)
        ordered = -np.sort(-magnitude, axis=1)
        mass = np.cumsum(ordered, axis=1, dtype=np.float64)
        # The number of weights before the one that brings the mass to ``keep`` of the total.
        before = (mass < keep * mass[:, -1:]).sum(axis=1)
        cut = ordered[np.arange(len(block)), np.minimum(before, block.shape[1] - 1)]
        rows.append(sparse.csr_array(np.where(magnitude >= cut[:, None], block, np.float32(0))))
    return sparse.vstack(rows, format="csr")


def shrink(pipeline, keep=PRUNE_KEEP_MASS):
    """The fitted weights pruned (``prune``) and stored sparse in single
    precision; the intercepts in single precision. ``predict_proba`` works
    on the result as before (scikit-learn's linear models take a sparse
    ``coef_``: ``sparsify``)."""
    for calibrated in pipeline.named_steps["classifier"].calibrated_classifiers_:
        estimator = calibrated.estimator
        estimator.coef_ = prune(estimator.coef_, keep)
        estimator.intercept_ = estimator.intercept_.astype(np.float32)
    return pipeline
