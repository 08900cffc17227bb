"""Natural keys for import resources: rows are matched to existing objects
and foreign keys resolved by code, from one query per model for the whole
file (the per-import cache ``self._maps``)."""

from django.utils.translation import gettext as _
from import_export import widgets

from ..widgets import cell_text


class NaturalKeyMixin:
    """Needs ``self._maps`` (a dict), ``self._bad_codes`` (codes of rows that
    failed), ``self.tree`` and ``import_columns()`` from the resource."""

    def lookup_queryset(self, model):
        qs = model._default_manager.all()
        if model is self._meta.model:
            m2m = [f.attribute for f in self.import_columns() if isinstance(f.widget, widgets.ManyToManyWidget)]
            if m2m:
                qs = qs.prefetch_related(*m2m)
        return qs

    def lookup(self, model, field="code"):
        key = (model, field)
        if key not in self._maps:
            objects = list(self.lookup_queryset(model))
            if self.tree and model is self._meta.model:
                by_pk = {o.pk: o for o in objects}
                for obj in objects:
                    if obj.parent_id:
                        obj.parent = by_pk.get(obj.parent_id)
            self._maps[key] = {self.key_text(getattr(o, field)): o for o in objects}
        return self._maps[key]

    @staticmethod
    def key_text(value):
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return cell_text(value)

    def resolve(self, model, code, *, field="code", also_by=""):
        obj = self.lookup(model, field).get(code)
        if obj is None and also_by:
            obj = self.lookup(model, also_by).get(code)
        if obj is not None:
            return obj
        if model is self._meta.model and code in self._bad_codes:
            raise ValueError(_("The row with code “%(code)s” has errors itself.") % {"code": code})
        raise ValueError(
            _("There is no %(model)s with the code “%(code)s”.")
            % {"model": model._meta.verbose_name, "code": code}
        )
