"""The learned dispatch model's versions in the admin ("Dispatch model",
next to the dispatch directory; issue 7).

- ``dispatch_model:index``: every stored version, newest first, with the
  figures it was judged by on its held-back cases (the model's top-1, top-3
  and macro-F1 beside the keyword rules' top-1), its size and whether it is
  the one suggestions use; above the list, how the last training ended and
  whether one is waiting in the queue. ``dispatch_model:inspect`` shows one
  version's figures. Nobody adds, edits or deletes here: versions are
  written only by ``casemodels.services.learning``.
- ``dispatch_model:train`` ("Train now" in the header): a confirmation, then
  on POST the training task (``learning_tasks.train_dispatch_model_task``,
  also run weekly) queued in the background with django-q2 — refused while
  a training is already queued or running.
- ``dispatch_model:activate`` (POST, the "Make active" button of a row):
  ``activate_dispatch_model``, with a warning when that version did not
  beat the rules on its held-back cases.

The command centre's supervisors and administrators look; its
administrators (and superusers) train and activate
(``services.learning.permissions``). Anyone else is refused and sees no
menu item."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import HeaderButton
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from snippets.models import Role, Unit

from ..models import DispatchModel
from ..services.learning import activate_dispatch_model
from ..services.learning.permissions import may_manage_dispatch_models, may_read_dispatch_models
from ..services.learning.training import version_beats_rules
from .columns import PostButtonColumn

TRAIN_TASK = "casemodels.learning_tasks.train_dispatch_model_task"
TRAIN_GROUP = "dispatch-model-training"
TRAIN_NAME = "train-dispatch-model"
READ_ACTIONS = {"view", "inspect"}


# --- Who may look -----------------------------------------------------------------------
class DispatchModelPolicy(BasePermissionPolicy):
    """The command centre's supervisors and administrators look at every
    version; nobody adds, edits or deletes one in the admin."""

    def user_has_permission(self, user, action):
        return action in READ_ACTIONS and may_read_dispatch_models(user)

    def users_with_any_permission(self, actions):
        if not READ_ACTIONS.intersection(actions):
            return get_user_model().objects.none()
        centre_staff = Q(
            staff_profile__is_active=True, staff_profile__unit__kind=Unit.Kind.CENTRE,
            staff_profile__roles__code__in=[Role.Code.SUPERVISOR, Role.Code.ADMINISTRATOR],
        )
        return get_user_model().objects.filter(Q(is_superuser=True) | centre_staff, is_active=True).distinct()


register_permission_policy(DispatchModel, DispatchModelPolicy(DispatchModel))


# --- The background training ------------------------------------------------------------
def queued_training():
    """True when a training waits in django-q2's queue or is running (the
    ORM broker keeps a task's row until it has ended), whoever started it —
    this screen or the weekly schedule."""
    from django_q.conf import Conf
    from django_q.models import OrmQ

    for row in OrmQ.objects.using(Conf.ORM or "default").only("payload").iterator():
        if row.task.get("func") == TRAIN_TASK:
            return True
    return False


def last_training():
    """The last training that has ended (django-q2 keeps the results), or None."""
    from django_q.models import Task

    return Task.objects.filter(func=TRAIN_TASK).order_by("-stopped").first()


def training_message(task):
    """What the training said (its result's ``message``); a failed task's
    result is the error."""
    result = task.result
    if isinstance(result, dict):
        return result.get("message") or ""
    return "" if result is None else str(result)


# --- Figures ----------------------------------------------------------------------------
def figure(model, side, name):
    """``metrics[side][name]`` (side: "model" or "rules"), or None."""
    value = (model.metrics or {}).get(side, {}).get(name)
    return value if isinstance(value, (int, float)) else None


def shown(value):
    return "—" if value is None else f"{value:.3f}"


class FigureColumn(Column):
    def __init__(self, name, side, figure_name, **kwargs):
        super().__init__(name, **kwargs)
        self.side, self.figure_name = side, figure_name

    def get_value(self, instance):
        return shown(figure(instance, self.side, self.figure_name))


class ActivateColumn(PostButtonColumn):
    """A "Make active" button on the versions not in use, for those who may choose the version."""

    marker = "data-activate"

    def applies(self, instance):
        return not instance.is_active

    def url(self, instance):
        return reverse("dispatch_model:activate", args=[instance.pk])

    def button_label(self, instance):
        return gettext("Make active")

    def key(self, instance):
        return instance.version


def inspect_url(model):
    return reverse("dispatch_model:inspect", args=[model.pk])


def kib(model):
    return f"{model.size_bytes / 1024:.1f}"


def active_label(model):
    return gettext("Yes") if model.is_active else gettext("No")


def held_back(model):
    return (model.metrics or {}).get("held_back", "—")


# --- Views ------------------------------------------------------------------------------
class DispatchModelIndexView(IndexView):
    """The versions, and how the last training ended."""

    @cached_property
    def may_manage(self):
        return may_manage_dispatch_models(self.request.user)

    @cached_property
    def columns(self):
        return [
            TitleColumn("version", label=_("Version"), accessor=str, get_url=inspect_url, sort_key="version"),
            DateColumn("trained_at", label=_("Trained at"), sort_key="trained_at"),
            Column("training_cases", label=_("Training cases")),
            Column("classes", label=_("Items learned")),
            Column("held_back", label=_("Held-back cases"), accessor=held_back),
            FigureColumn("model_top1", "model", "top1", label=_("Model top-1")),
            FigureColumn("model_top3", "model", "top3", label=_("Model top-3")),
            FigureColumn("model_macro_f1", "model", "macro_f1", label=_("Model macro-F1")),
            FigureColumn("rules_top1", "rules", "top1", label=_("Rules' top-1")),
            Column("size", label=_("Size (KiB)"), accessor=kib),
            Column("active", label=_("Active"), accessor=active_label),
            ActivateColumn("activate", self.may_manage, label=""),
        ]

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.may_manage:
            buttons.append(HeaderButton(_("Train now"), url=reverse("dispatch_model:train"), icon_name="rotate",
                                        attrs={"data-train": ""}))
        return buttons

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        task = last_training()
        context.update(
            may_manage=self.may_manage, training_queued=queued_training(), last_training=task,
            last_training_message=training_message(task) if task else "",
        )
        return context


class DispatchModelInspectView(InspectView):
    """One version's figures (never its blob)."""

    def get_metrics_display_value(self):
        metrics = self.object.metrics or {}
        rows = [
            (gettext("Held-back cases"), metrics.get("held_back", "—")),
            (gettext("Directory items learned"), metrics.get("items", "—")),
        ]
        for side, side_label in (("model", gettext("Model")), ("rules", gettext("Keyword rules"))):
            for name, label in (("top1", gettext("top-1")), ("top3", gettext("top-3")),
                                ("macro_f1", gettext("macro-F1"))):
                rows.append((f"{side_label}, {label}", shown(figure(self.object, side, name))))
        rows.append((gettext("Fitting time (seconds)"), metrics.get("fit_seconds", "—")))
        return format_html('<dl class="ms-dl">{}</dl>', format_html_join("", "<dt>{}</dt><dd>{}</dd>", rows))

    def get_trained_at_display_value(self):
        return date_format(timezone.localtime(self.object.trained_at), "Y-m-d H:i:s")

    def get_size_bytes_display_value(self):
        return gettext("%(kib)s KiB (%(bytes)s bytes)") % {"kib": kib(self.object), "bytes": self.object.size_bytes}

    def get_is_active_display_value(self):
        return active_label(self.object)


class ManagerMixin:
    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if not may_manage_dispatch_models(request.user):
            raise PermissionDenied


class TrainView(ManagerMixin, WagtailAdminTemplateMixin, FormView):
    """GET: what a training does, and a button; POST: queue it in the
    background (django-q2), unless one is already queued or running."""

    template_name = "casemodels/dispatch_model_train.html"
    form_class = forms.Form  # nothing to fill in: the button confirms
    header_icon = "rotate"
    page_title = _("Train the dispatch model")

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items,
                {"url": reverse("dispatch_model:index"), "label": DispatchModelViewSet.menu_label},
                {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            action_url=reverse("dispatch_model:train"), training_queued=queued_training(),
            submit_button_label=gettext("Train now"), submit_button_active_label=gettext("Queuing…"),
        )
        return context

    def form_valid(self, form):
        if queued_training():
            messages.warning(self.request, gettext(
                "A training is already queued or running: its result appears on this page when it ends."
            ))
            return redirect("dispatch_model:index")
        from django_q.tasks import async_task

        async_task(TRAIN_TASK, task_name=TRAIN_NAME, group=TRAIN_GROUP)
        messages.success(self.request, gettext(
            "A training has started in the background; its result appears on this page when it ends. The version "
            "in use changes only if the new one beats the keyword rules."
        ))
        return redirect("dispatch_model:index")


class ActivateView(ManagerMixin, View):
    """POST: make a stored version the one suggestions use."""

    http_method_names = ["post"]

    def post(self, request, pk):
        model = activate_dispatch_model(get_object_or_404(DispatchModel, pk=pk))
        messages.success(request, gettext("Version %(version)d is now the dispatch model in use.")
                         % {"version": model.version})
        if version_beats_rules(model) is False:
            messages.warning(request, gettext(
                "Version %(version)d did not beat the keyword rules on its held-back cases (top-1 %(model)s, "
                "rules %(rules)s): its suggestions may be worse than the rules alone."
            ) % {"version": model.version, "model": shown(figure(model, "model", "top1")),
                 "rules": shown(figure(model, "rules", "top1"))})
        return redirect("dispatch_model:index")


class DispatchModelViewSet(ModelViewSet):
    model = DispatchModel
    icon = "crosshairs"
    menu_label = _("Dispatch model")
    menu_order = 315  # after the dispatch directory (310)
    add_to_admin_menu = True
    index_view_class = DispatchModelIndexView
    index_template_name = "casemodels/dispatch_model_index.html"
    inspect_view_enabled = True
    inspect_view_class = DispatchModelInspectView
    inspect_view_fields = ["version", "trained_at", "algorithm", "training_cases", "classes", "metrics",
                           "size_bytes", "is_active"]
    form_fields = []  # no add or edit: the policy refuses them, the service writes versions

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("train/", TrainView.as_view(), name="train"),
            path("activate/<int:pk>/", ActivateView.as_view(), name="activate"),
        ]


@hooks.register("register_admin_viewset")
def register_dispatch_model():
    return DispatchModelViewSet("dispatch_model", url_prefix="dispatch-model")
