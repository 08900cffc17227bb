"""Listing columns shared by the admin's screens."""

from django.middleware.csrf import get_token
from django.utils.html import format_html
from wagtail.admin.ui.tables import Column


class PostButtonColumn(Column):
    """A small button posting to an action URL (a form with its CSRF token),
    on the rows it applies to, for those ``allowed``. Subclasses say which
    rows (``applies``), where it posts (``url``) and its ``button_label``; the
    button carries ``marker="<the row's key>"`` for scripts and tests."""

    marker = "data-row"

    def __init__(self, name, allowed, **kwargs):
        super().__init__(name, **kwargs)
        self.allowed = allowed

    def applies(self, instance):
        return True

    def url(self, instance):
        raise NotImplementedError

    def button_label(self, instance):
        raise NotImplementedError

    def key(self, instance):
        return instance.pk

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context.get("request")
        context["value"] = ""
        if self.allowed and request is not None and self.applies(instance):
            context["value"] = format_html(
                '<form method="post" action="{}"><input type="hidden" name="csrfmiddlewaretoken" value="{}">'
                '<button type="submit" class="button button-small button-secondary" {}="{}">{}</button>'
                "</form>",
                self.url(instance), get_token(request), self.marker, self.key(instance), self.button_label(instance),
            )
        return context
