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
  one model kept): a suggestion's confidence is a probability in [0, 1].

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


def shrink(pipeline):
    """Store the fitted weights in single precision (half the size; the
    probabilities change in the seventh digit)."""
    for calibrated in pipeline.named_steps["classifier"].calibrated_classifiers_:
        estimator = calibrated.estimator
        estimator.coef_ = estimator.coef_.astype(np.float32)
        estimator.intercept_ = estimator.intercept_.astype(np.float32)
    return pipeline
