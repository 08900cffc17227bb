"""The dispatch model learned from the product's own closed cases (issue 7):
text → directory item, versioned, used by ``suggest_dispatch`` only when it
beat the keyword rules on held-back cases.

- ``features``: what the model sees and the pipeline (chosen by measurement);
- ``training``: ``train_dispatch_model``, judging and storing a version;
- ``store``: blobs, and the active model kept in the process.
"""

from .features import case_text
from .store import LoadedModel, active_model, forget_loaded_model
from .training import TrainingResult, activate_dispatch_model, train_dispatch_model

__all__ = [
    "case_text", "LoadedModel", "active_model", "forget_loaded_model", "TrainingResult",
    "activate_dispatch_model", "train_dispatch_model",
]
