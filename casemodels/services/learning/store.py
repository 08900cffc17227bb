"""Storing dispatch models and reading the active one.

A fitted pipeline is pickled by joblib, compressed (zlib), into
``DispatchModel.blob``; its weights are pruned and sparse
(``features.shrink``): 17.5 MiB for 2,000 items, against 31 MiB dense.
Blobs are written only by the training service of this package:
unpickling runs code, so nothing else may write them.

The active model is kept in the process once loaded, keyed by its row's id.
Each read asks the database which row is active (one indexed query on a
small table, no blob) and loads the blob only when that changed, so a newly
activated version is used by every process at its next suggestion.
"""

import io
import threading
from dataclasses import dataclass

import joblib
import numpy as np

from ...models import DispatchModel
from .scoring import Scorer

COMPRESSION = ("zlib", 3)


def dumps(pipeline):
    out = io.BytesIO()
    joblib.dump(pipeline, out, compress=COMPRESSION)
    return out.getvalue()


def loads(blob):
    return joblib.load(io.BytesIO(bytes(blob)))


@dataclass(frozen=True)
class LoadedModel:
    """The active model as suggestions use it."""

    id: int
    version: int
    training_cases: int
    scorer: Scorer

    def rank(self, text, limit=None):
        """``[(directory item id, probability)]`` for ``text``, most probable first."""
        probabilities = self.scorer.proba(text)
        order = np.argsort(-probabilities, kind="stable")[:limit]
        classes = self.scorer.classes
        return [(int(classes[i]), float(probabilities[i])) for i in order]


_lock = threading.Lock()
_loaded = None


def active_model():
    """The active ``LoadedModel``, or None when no version is active."""
    global _loaded
    row = DispatchModel.objects.filter(is_active=True).values_list("pk", "version", "training_cases").first()
    if row is None:
        return None
    loaded = _loaded
    if loaded is not None and loaded.id == row[0]:
        return loaded
    with _lock:
        if _loaded is not None and _loaded.id == row[0]:
            return _loaded
        blob = DispatchModel.objects.filter(pk=row[0]).values_list("blob", flat=True).first()
        if blob is None:  # deleted between the two queries
            return None
        _loaded = LoadedModel(id=row[0], version=row[1], training_cases=row[2], scorer=Scorer(loads(blob)))
        return _loaded


def forget_loaded_model():
    """Drop the model kept in this process (tests; memory)."""
    global _loaded
    with _lock:
        _loaded = None
