"""Training a dispatch model from the product's own closed cases.

What is learned from: closed and archived cases with a directory item that
is still active and routes somewhere (an item that can be suggested), never
diverted; the text is the title and the content (``case_text``); the most
recent ``MAX_TRAINING_CASES`` by closing time.

How it is judged: one case in five (by a hash of its id, so the same cases
every time and for every version) is held back; the pipeline is fitted on
the others and it and the keyword rules are scored on the held-back cases:
top-1 and top-3 accuracy and macro-F1 over the items. The stored model is
then fitted on every case (the held-back figures describe how this way of
learning does on cases it has not seen). A new version is stored on every
run; it becomes the active one only when its held-back top-1 beats the
rules'.
"""

import logging
import time
import zlib
from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ...models import Case, CaseState, DispatchModel
from .. import suggestions  # not its names: suggestions imports this package too
from .features import ALGORITHM, build_pipeline, case_text, shrink
from .store import dumps

logger = logging.getLogger(__name__)

HELD_BACK_ONE_IN = 5  # 20 %
MIN_ITEM_CASES = 5  # an item is learned from at least this many training cases
MIN_ITEMS = 2
MIN_HELD_BACK = 5
MAX_TRAINING_CASES = 200_000


@dataclass(frozen=True)
class TrainingResult:
    """``model`` is the stored version (None when there was too little to
    learn from: ``message`` says why); ``activated`` whether it is now the
    one suggestions use."""

    model: DispatchModel | None
    activated: bool
    message: str


def is_held_back(case_id):
    return zlib.crc32(str(case_id).encode()) % HELD_BACK_ONE_IN == 0


def learnable_cases():
    """``[(case id, text, directory item id)]`` of the cases learned from."""
    items = suggestions.suggestible_items().values("pk")
    rows = (
        Case.objects.filter(state__in=(CaseState.CLOSED, CaseState.ARCHIVED), directory_item__in=items,
                            divert_route="")
        .order_by("-closed_at", "-pk").values_list("pk", "title", "content", "directory_item_id")
    )[:MAX_TRAINING_CASES]
    return [(pk, case_text(title, content), item) for pk, title, content, item in rows]


def scores(true, ranked, classes):
    """Top-1, top-3 and macro-F1 (over ``classes``) of ranked predictions
    (``ranked[i]``: item ids, best first, possibly empty)."""
    from sklearn.metrics import f1_score

    n = len(true)
    top1 = sum(1 for t, r in zip(true, ranked) if r[:1] == [t]) / n
    top3 = sum(1 for t, r in zip(true, ranked) if t in r[:3]) / n
    predicted = [r[0] if r else -1 for r in ranked]
    macro_f1 = f1_score(true, predicted, labels=sorted(classes), average="macro", zero_division=0)
    return {"top1": round(top1, 4), "top3": round(top3, 4), "macro_f1": round(float(macro_f1), 4)}


def rank_by_rules(texts):
    items = list(suggestions.suggestible_items().only("id", "name", "code", "keywords"))
    return [[item.pk for _raw, item, _found in suggestions.keyword_matches(text, items)] for text in texts]


def fit(texts, labels):
    """The pipeline fitted on ``texts``; its weights pruned, sparse, in single precision (``shrink``)."""
    pipeline = build_pipeline()
    pipeline.fit(texts, labels)
    return shrink(pipeline)


def _learnable(train):
    counts = Counter(item for _pk, _text, item in train)
    return {item for item, n in counts.items() if n >= MIN_ITEM_CASES}


def train_dispatch_model(*, now=None):
    """Train, judge and store a new version (see the module docstring)."""
    now = now or timezone.now()
    cases = learnable_cases()
    train = [c for c in cases if not is_held_back(c[0])]
    held = [c for c in cases if is_held_back(c[0])]
    items = _learnable(train)
    if len(items) < MIN_ITEMS or len(held) < MIN_HELD_BACK:
        message = _(
            "Too little to learn from: %(cases)d closed cases with a directory item, %(items)d items with at "
            "least %(min)d of them, %(held)d held back for judging (at least %(min_items)d items and "
            "%(min_held)d held-back cases are needed)."
        ) % {"cases": len(cases), "items": len(items), "min": MIN_ITEM_CASES, "held": len(held),
             "min_items": MIN_ITEMS, "min_held": MIN_HELD_BACK}
        return TrainingResult(None, False, message)

    learned = [c for c in train if c[2] in items]
    started = time.perf_counter()
    try:
        judged = fit([c[1] for c in learned], [c[2] for c in learned])
    except ValueError as exc:  # e.g. no character seen in two cases
        return TrainingResult(None, False, _("Nothing could be learned: %(error)s") % {"error": exc})
    held_texts, held_true = [c[1] for c in held], [c[2] for c in held]
    classes = set(held_true) | items
    model_ranked = [
        [int(judged.classes_[i]) for i in row.argsort()[::-1]] for row in judged.predict_proba(held_texts)
    ]
    model_scores = scores(held_true, model_ranked, classes)
    rules_scores = scores(held_true, rank_by_rules(held_texts), classes)

    every = [c for c in cases if c[2] in items]
    final = fit([c[1] for c in every], [c[2] for c in every])
    blob = dumps(final)
    beats = beats_rules(model_scores, rules_scores)
    metrics = {
        "held_back": len(held), "items": len(items), "model": model_scores, "rules": rules_scores,
        "fit_seconds": round(time.perf_counter() - started, 2),
    }
    with transaction.atomic():
        # Two runs at once: the second one's version number collides (unique) and it fails whole.
        version = (DispatchModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1
        if beats:
            DispatchModel.objects.select_for_update().filter(is_active=True).update(is_active=False)
        model = DispatchModel.objects.create(
            version=version, trained_at=now, training_cases=len(every), classes=len(items), algorithm=ALGORITHM,
            metrics=metrics, size_bytes=len(blob), is_active=beats, blob=blob,
        )
    if beats:
        message = _("Version %(version)d is active: top-1 %(model).3f on %(held)d held-back cases, rules %(rules).3f.")
    else:
        message = _("Version %(version)d is stored but not used: top-1 %(model).3f on %(held)d held-back cases does "
                    "not beat the rules' %(rules).3f.")
    message %= {"version": version, "model": model_scores["top1"], "rules": rules_scores["top1"], "held": len(held)}
    logger.info("dispatch model: %s", message)
    return TrainingResult(model, beats, message)


def beats_rules(model_scores, rules_scores):
    """The one rule for using a version: its held-back top-1 above the rules'."""
    return model_scores["top1"] > rules_scores["top1"]


def version_beats_rules(model):
    """Whether a stored version beat the rules on its held-back cases; None
    when its figures do not say."""
    metrics = model.metrics or {}
    own, rules = metrics.get("model", {}), metrics.get("rules", {})
    if not all(isinstance(side.get("top1"), (int, float)) for side in (own, rules)):
        return None
    return beats_rules(own, rules)


def activate_dispatch_model(model):
    """Make ``model`` (a stored version) the active one."""
    with transaction.atomic():
        DispatchModel.objects.select_for_update().filter(is_active=True).exclude(pk=model.pk).update(is_active=False)
        DispatchModel.objects.filter(pk=model.pk).update(is_active=True)
    model.is_active = True
    return model

