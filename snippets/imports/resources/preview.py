"""The preview of an import: the changes of the first rows, as the person
will read them (before and after, in the file's own words)."""

from django.db import models
from import_export import widgets
from import_export.results import RowResult

from ..widgets import DateWidget, cell_text


class PreviewMixin:
    """For ``ImportResource``: keeps ``self.preview`` (up to
    ``preview_limit`` changed rows)."""

    def _add_preview(self, line, import_type, row):
        if len(self.preview) >= self.preview_limit:
            return
        instance = self.changed_instances[-1] if self.changed_instances else None
        if instance is None:
            return
        changed = getattr(instance, "_import_changes", None)
        changes = []
        for field in self.import_columns():
            if field.column_name not in row:
                continue
            if import_type == RowResult.IMPORT_TYPE_UPDATE and field.attribute not in (changed or ()):
                continue
            after = self.display(instance, field, new=True)
            before = self.display_before(instance, field) if import_type == RowResult.IMPORT_TYPE_UPDATE else ""
            changes.append([self.column_label(field.attribute), before, after])
        self.preview.append({"row": line, "type": import_type, "object": str(instance), "changes": changes})

    def display(self, instance, field, new=True):
        if isinstance(field.widget, widgets.ManyToManyWidget):
            objs = instance._import_m2m.get(field.attribute, [])
            return "、".join(cell_text(getattr(o, field.widget.field, o)) for o in objs)
        value = getattr(instance, field.attribute, None)
        if isinstance(value, models.Model):
            return cell_text(getattr(value, getattr(field.widget, "field", "code"), value))
        if isinstance(field.widget, DateWidget):
            return field.widget.render(value)
        try:
            return field.widget.render(value) if value not in (None, "") else ""
        except Exception:
            return cell_text(value)

    def display_before(self, instance, field):
        before = instance._import_before.get(field.attribute)
        if isinstance(before, tuple) and before and isinstance(before[0], type):
            obj = self.lookup(before[0], "pk").get(self.key_text(before[1]))
            return cell_text(getattr(obj, getattr(field.widget, "field", "code"), "")) if obj else ""
        if isinstance(field.widget, widgets.ManyToManyWidget):
            objs = self.lookup(field.widget.model, "pk")
            return "、".join(cell_text(getattr(objs.get(pk), field.widget.field, "")) for pk in before or ())
        try:
            return field.widget.render(before) if before not in (None, "") else ""
        except Exception:
            return cell_text(before)
