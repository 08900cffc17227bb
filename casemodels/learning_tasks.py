"""django-q2 tasks of the learned dispatch model (kept apart from
``casemodels.tasks``): small functions that call the service."""

from .services.learning import train_dispatch_model


def train_dispatch_model_task():
    """Learn a new version of the dispatch model from the closed cases
    (weekly; see ``casemodels.schedules``). Returns a summary for the task's
    result: the version stored (or None), whether it is active, and why."""
    result = train_dispatch_model()
    model = result.model
    return {
        "version": model.version if model else None,
        "activated": result.activated,
        "metrics": model.metrics if model else {},
        "message": result.message,
    }
