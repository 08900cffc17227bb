"""The dispatch directory edited as a tree.

The directory's list shows one level at a time (``?parent=<id>``; the top
level without it), with breadcrumbs of the categories above, the number of
items below each row and a link down, and buttons to move an item up or
down, to move it under another category and to disable or enable it. A
search or a filter lists matching items from the whole tree; exports cover
the whole tree. Every change goes through ``snippets.services.directory``.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.ui.menus import MenuItem
from wagtail.snippets.views.snippets import CreateView

from ..models import DirectoryItem
from ..services import directory as service
from .listing import ConfigIndexView


def list_url(parent_id=None):
    url = reverse(DirectoryItem.snippet_viewset.get_url_name("list"))
    return f"{url}?parent={parent_id}" if parent_id else url


def error_text(error):
    return " ".join(error.messages)


class ChildrenColumn(Column):
    """How many items are below a row, linking one level down."""

    cell_template_name = "snippets/directory/children_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["url"] = list_url(instance.pk)
        context["active"] = getattr(instance, "active_children", None)
        return context


class OrderColumn(Column):
    """Move up / move down buttons (small POST forms)."""

    cell_template_name = "snippets/directory/order_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context.get("request")
        context["csrf_token"] = get_token(request) if request else ""
        name = DirectoryItem.snippet_viewset.get_url_name("tree_reorder")
        context["up_url"] = reverse(name, args=[instance.pk, "up"])
        context["down_url"] = reverse(name, args=[instance.pk, "down"])
        context["next"] = request.get_full_path() if request else ""
        return context


class DirectoryTreeIndexView(ConfigIndexView):
    """The directory's list, one level at a time unless searching,
    filtering or exporting."""

    @cached_property
    def parent_item(self):
        pk = self.request.GET.get("parent")
        if not pk or not str(pk).isdigit():
            return None
        return DirectoryItem.objects.filter(pk=pk).first()

    @cached_property
    def tree_mode(self):
        return not (self.is_searching or self.is_filtering or self.is_export)

    def get_base_queryset(self):
        queryset = super().get_base_queryset().select_related("parent", "sector_unit")
        if self.tree_mode:
            queryset = queryset.filter(parent=self.parent_item)
        return queryset.annotate(
            children_count=Count("children", distinct=True),
            active_children=Count("children", filter=Q(children__is_active=True), distinct=True),
        )

    @cached_property
    def columns(self):
        columns = list(super().columns)
        if self.tree_mode and self.user_has_permission("change"):
            columns.append(OrderColumn("order", label=_("order")))
        return columns

    def get_breadcrumbs_items(self):
        items = super().get_breadcrumbs_items()
        if not (self.tree_mode and self.parent_item) or self.results_only:
            return items
        *head, current = items
        chain = self.parent_item.ancestors(include_self=True)
        head.append({"url": list_url(), "label": current["label"]})
        for node in chain[:-1]:
            head.append({"url": list_url(node.pk), "label": node.name})
        head.append({"url": "", "label": chain[-1].name, "sublabel": current.get("sublabel")})
        return head

    def get_page_subtitle(self):
        if self.tree_mode and self.parent_item:
            return self.parent_item.path_name
        return super().get_page_subtitle()

    def get_add_url(self):
        url = super().get_add_url()
        if url and self.tree_mode and self.parent_item:
            url += ("&" if "?" in url else "?") + f"parent={self.parent_item.pk}"
        return url

    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        if not self.user_has_permission("change"):
            return buttons
        viewset = DirectoryItem.snippet_viewset
        buttons.append(MenuItem(
            _("Move to another category"), url=reverse(viewset.get_url_name("tree_move"), args=[instance.pk]),
            icon_name="arrow-right-full", priority=25,
        ))
        buttons.append(MenuItem(
            _("Disable") if instance.is_active else _("Enable"),
            url=reverse(viewset.get_url_name("tree_active"), args=[instance.pk]),
            icon_name="cross" if instance.is_active else "success", priority=26,
        ))
        if getattr(instance, "children_count", 0):
            # an item with items below it cannot be deleted: do not offer it
            buttons = [b for b in buttons if getattr(b, "icon_name", "") != "bin"]
        return buttons


class DirectoryActionMixin(PermissionCheckedMixin, WagtailAdminTemplateMixin):
    """Shared by the move and disable/enable screens."""

    model = DirectoryItem
    permission_required = "change"
    header_icon = "list-ul"
    breadcrumbs_items = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = get_object_or_404(DirectoryItem, pk=kwargs["pk"])

    def get_page_subtitle(self):
        return self.object.path_name

    def get_breadcrumbs_items(self):
        return (self.breadcrumbs_items or []) + [
            {"url": list_url(), "label": DirectoryItem._meta.verbose_name_plural},
            *({"url": list_url(n.pk), "label": n.name} for n in self.object.ancestors()),
            {"url": "", "label": self.get_page_title(), "sublabel": self.object.name},
        ]

    def back_url(self):
        return list_url(self.object.parent_id)


class MoveForm(forms.Form):
    parent = forms.ModelChoiceField(
        queryset=DirectoryItem.objects.none(), required=False, label=gettext_lazy("new category"),
        empty_label=gettext_lazy("(top level)"),
    )

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, **kwargs)
        below = item.descendant_ids(include_self=True)
        self.fields["parent"].queryset = DirectoryItem.objects.filter(is_active=True).exclude(pk__in=below)
        self.fields["parent"].initial = item.parent_id


class DirectoryMoveView(DirectoryActionMixin, FormView):
    """Move an item (with everything below it) under another category."""

    page_title = gettext_lazy("Move to another category")
    template_name = "snippets/directory/move.html"
    form_class = MoveForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "item": self.object}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if self.request.method == "POST" and "parent" in self.request.POST:
            # any category may be asked for here: the service says why a target is refused
            form.fields["parent"].queryset = DirectoryItem.objects.all()
        return form

    def form_valid(self, form):
        target = form.cleaned_data["parent"]
        try:
            service.move_item(self.object, target, acting_user=self.request.user)
        except ValidationError as error:
            form.add_error("parent", error_text(error))
            return self.form_invalid(form)
        messages.success(self.request, _("“%(item)s” moved under “%(target)s”.") % {
            "item": self.object.name, "target": target.name if target else _("(top level)"),
        })
        return HttpResponseRedirect(list_url(target.pk if target else None))

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "object": self.object, "back_url": self.back_url()}


class DirectoryActiveView(DirectoryActionMixin, FormView):
    """Confirm and disable (or enable) an item; disabling a category
    disables everything below it."""

    template_name = "snippets/directory/set_active.html"
    form_class = forms.Form

    def get_page_title(self):
        return _("Disable") if self.object.is_active else _("Enable")

    def form_valid(self, form):
        activate = not self.object.is_active
        try:
            changed = service.set_item_active(self.object, activate, acting_user=self.request.user)
        except ValidationError as error:
            messages.error(self.request, error_text(error))
            return HttpResponseRedirect(self.back_url())
        if activate:
            messages.success(self.request, _("“%(item)s” enabled.") % {"item": self.object.name})
        else:
            messages.success(self.request, _("“%(item)s” disabled (%(count)s items in all); its cases and history "
                                             "are kept.") % {"item": self.object.name, "count": len(changed)})
        return HttpResponseRedirect(self.back_url())

    def get_context_data(self, **kwargs):
        below = len(self.object.descendant_ids(include_self=False))
        return {**super().get_context_data(**kwargs), "object": self.object, "below": below,
                "back_url": self.back_url()}


class DirectoryReorderView(PermissionCheckedMixin, FormView):
    """POST only: move an item one place up or down among its siblings."""

    model = DirectoryItem
    permission_required = "change"
    http_method_names = ["post"]
    form_class = forms.Form

    def form_valid(self, form):
        item = get_object_or_404(DirectoryItem, pk=self.kwargs["pk"])
        try:
            service.reorder_item(item, self.kwargs["direction"], acting_user=self.request.user)
        except ValidationError as error:
            messages.error(self.request, error_text(error))
        target = self.request.POST.get("next") or ""
        if not target.startswith("/") or target.startswith("//"):
            target = list_url(item.parent_id)
        return HttpResponseRedirect(target)


class DirectoryCreateView(CreateView):
    """Adding from a category's level (``?parent=<id>``) starts the new item
    under that category."""

    def get_initial_form_instance(self):
        instance = super().get_initial_form_instance()
        pk = self.request.GET.get("parent")
        if pk and str(pk).isdigit():
            instance = instance or DirectoryItem()
            instance.parent = DirectoryItem.objects.filter(pk=pk).first()
        return instance
