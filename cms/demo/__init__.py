"""The demo profile loaded by ``manage.py load_demo``: 高平 complete (regions,
units, staff, its ten channels, its dispatch directory), the channels and
time-limit rules of the other four seed centres (宁国, 珙县, 青岛市南, 莱山),
the work calendar, the public home page and a few hundred generated cases.

Modules, in loading order: ``organisation`` (regions, units, staff and
groups), ``policies`` (channels, time-limit policies, calendar),
``directory``, ``site`` (home page), ``cases`` (carried out through the
lifecycle services, planned by ``case_plan`` from ``case_texts``)."""

from contextlib import contextmanager

from django.db.models.signals import post_delete, post_save


@contextmanager
def deadline_recompute_paused():
    """Hold back ``casemodels.signals`` while configuration is loaded.

    That module queues a background recompute of every open case for each
    saved policy, policy limit and calendar row: loading the demo policies
    would queue one task per row (dozens) before any case exists. The caller
    recomputes once, synchronously, when it changed rules under open cases."""
    from casemodels import signals
    from snippets.models import CalendarDay, CalendarYear, PolicyLimit, TimeLimitPolicy

    receiver = getattr(signals, "_schedule_recompute", None)
    if receiver is None:  # the signals module changed: leave it alone
        yield
        return
    models = (CalendarDay, CalendarYear, TimeLimitPolicy, PolicyLimit)
    for model in models:
        post_save.disconnect(sender=model, dispatch_uid=f"recompute-{model.__name__}-save")
        post_delete.disconnect(sender=model, dispatch_uid=f"recompute-{model.__name__}-delete")
    try:
        yield
    finally:
        for model in models:
            post_save.connect(receiver, sender=model,
                              dispatch_uid=f"recompute-{model.__name__}-save")
            post_delete.connect(receiver, sender=model,
                                dispatch_uid=f"recompute-{model.__name__}-delete")
