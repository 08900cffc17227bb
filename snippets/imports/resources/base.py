"""The base of every Minsheng import resource.

What it adds to django-import-export's ``ModelResource``:

- columns with Chinese headers: each column accepts its translated label,
  its English source label and the Chinese header names listed with it (so
  a file keeps working whatever the translation catalog says);
- natural keys: rows are matched to existing objects and foreign keys are
  resolved by code, from one query per model for the whole file;
- each row is checked with the model's ``full_clean()`` (so a bad row gets
  the model's own message), without the per-row queries Django would make
  for uniqueness and foreign-key existence (those are checked in memory);
- bulk writes (``use_bulk``): rows are queued and written with
  ``bulk_create``/``bulk_update``; a row whose parent was created earlier
  in the same file flushes the queue first, so parents get their ids
  before their children are written; many-to-many columns are written in
  bulk at the end;
- errors as ``{row, field, message}`` with the row number the person sees
  in the spreadsheet (header = row 1), a preview of the changes, counts and
  a progress callback.
"""

from collections import Counter

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import NOT_PROVIDED
from django.utils import translation
from django.utils.translation import gettext as _
from import_export import resources, widgets
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import RowResult

from ..widgets import CodesWidget, CodeWidget, cell_text
from .cleaning import RowCleaner
from .columns import normalise_header
from .lookups import NaturalKeyMixin
from .preview import PreviewMixin

ROW_KEY = "__row__"


class NaturalKeyLoader(BaseInstanceLoader):
    """Finds the existing object of a row in the resource's cache."""

    def get_instance(self, row):
        return self.resource.existing_instance(row)


class ImportResource(NaturalKeyMixin, PreviewMixin, resources.ModelResource):
    #: Resource field names that identify an existing object.
    key_fields = ("code",)
    #: Resource field names whose column must be in the file.
    required_columns = ("code",)
    #: The model has a ``parent`` column pointing at itself.
    tree = False
    #: How many changed rows the preview keeps.
    preview_limit = 50
    #: Call the progress callback every this many rows.
    progress_every = 200

    class Meta:
        abstract = True
        use_bulk = True
        skip_diff = True
        use_transactions = True
        clean_model_instances = True
        instance_loader_class = NaturalKeyLoader

    def __init__(self, *, acting_user=None, progress=None, **kwargs):
        super().__init__(**kwargs)
        self.acting_user = acting_user
        self.progress = progress
        for field in self.fields.values():
            # Evaluate the headers once, in the language of this import.
            field.column_name = str(field.column_name)
            if isinstance(field.widget, (CodeWidget, CodesWidget)):
                field.widget.resource = self
        self._import_columns = self._columns(self.fields)
        # What import_instance() does for each cell, worked out once.
        self._cell_plan = [
            (f.column_name, f.attribute, f.widget.clean, f.default, isinstance(f.widget, widgets.ManyToManyWidget),
             f.saves_null_values)
            for f in self._import_columns
        ]
        self._fk_attributes = [
            f.attribute for f in self._import_columns
            if (mf := self._model_field(f.attribute)) is not None and (mf.many_to_one or mf.one_to_one)
        ]
        self._key_memo = (None, None)
        self._cleaner = RowCleaner(self._meta.model)
        self._maps = {}
        self._seen = {}
        self._bad_codes = set()
        self._m2m_instances = []
        self.row_errors = []
        self.preview = []
        self.counts = Counter()
        self.processed = 0
        self.changed_instances = []

    # --- Columns and headers -------------------------------------------------

    @classmethod
    def _columns(cls, fields):
        """Importable columns, in the order of ``Meta.fields``."""
        order = [n for n in (cls._meta.fields or ()) if n in fields]
        order += [n for n in fields if n not in order]
        return [fields[n] for n in order if fields[n].attribute and not fields[n].readonly]

    def import_columns(self):
        columns = getattr(self, "_import_columns", None)
        return columns if columns is not None else self._columns(self.fields)

    @classmethod
    def template_headers(cls):
        """The headers of the downloadable template (Chinese)."""
        return [getattr(f, "header_aliases", (str(f.column_name),))[0] for f in cls._columns(cls.fields)]

    def header_map(self):
        """{normalised header in a file: column name of this resource}."""
        mapping = {}
        for name, field in self.fields.items():
            if not field.attribute or field.readonly:
                continue
            names = {name, field.attribute, field.column_name, *getattr(field, "header_aliases", ())}
            label = type(self).fields[name].column_name
            for language in ("en", "zh-hans"):
                with translation.override(language):
                    names.add(str(label))
            for header in names:
                mapping[normalise_header(header)] = field.column_name
        return mapping

    def column_label(self, attribute):
        """The header to show for a model attribute named in an error."""
        if attribute in (None, NON_FIELD_ERRORS):
            return ""
        for field in self.fields.values():
            if field.attribute == attribute:
                return getattr(field, "header_aliases", (field.column_name,))[0]
        try:
            return str(self._meta.model._meta.get_field(attribute).verbose_name)
        except Exception:
            return attribute

    def order_rows(self, headers, rows):
        """Rows in the order they should be imported. For a tree, parents
        before children (a stable sort by depth within the file), so a file
        may list children first."""
        if not self.tree:
            return rows
        code_col, parent_col = self.fields["code"].column_name, self.fields["parent"].column_name
        if code_col not in headers or parent_col not in headers:
            return rows
        ci, pi = headers.index(code_col), headers.index(parent_col)
        parents = {cell_text(r[ci]): cell_text(r[pi]) for _line, r in rows}
        depth = {}

        def depth_of(code):
            seen = []
            node = code
            while node in parents and parents[node] and node not in seen:
                if node in depth:
                    break
                seen.append(node)
                node = parents[node]
            base = depth.get(node, 0) if node not in seen else len(parents)
            for i, item in enumerate(reversed(seen), start=1):
                depth[item] = base + i
            return depth.get(code, 0)

        return sorted(rows, key=lambda item: depth_of(cell_text(item[1][ci])))

    def _memo_row_key(self, row):
        """``row_key(row)``, computed once per row (it is asked for twice)."""
        memo_row, key = self._key_memo
        if memo_row is not row:
            key = self.row_key(row)
            self._key_memo = (row, key)
        return key

    def row_key(self, row):
        values = []
        for name in self.key_fields:
            field = self.fields[name]
            if field.column_name not in row:
                return None
            try:
                values.append(self.key_text(field.widget.clean(row[field.column_name])))
            except ValueError:
                return None
        return values[0] if len(values) == 1 else tuple(values)

    def existing_instance(self, row):
        key = self._memo_row_key(row)
        if not key:
            return None
        return self.lookup(self._meta.model, self.fields[self.key_fields[0]].attribute).get(key)

    def register(self, instance):
        """Make a row's object findable by later rows (its children)."""
        name = self.key_fields[0]
        if len(self.key_fields) == 1:
            attribute = self.fields[name].attribute
            self.lookup(self._meta.model, attribute)[self.key_text(getattr(instance, attribute))] = instance

    # --- The row flow ---------------------------------------------------------

    def line_of(self, row, number):
        return row.get(ROW_KEY) or number + 1

    def before_import_row(self, row, **kwargs):
        key = self._memo_row_key(row)
        if key:
            line = self.line_of(row, kwargs.get("row_number", 0))
            if key in self._seen:
                field = self.fields[self.key_fields[0]]
                raise ValidationError({field.attribute: _(
                    "“%(key)s” is also on row %(row)s; each may appear only once in a file."
                ) % {"key": key if isinstance(key, str) else " / ".join(key), "row": self._seen[key]}})
            self._seen[key] = line

    def after_init_instance(self, instance, new, row, **kwargs):
        instance._import_new = new
        instance._import_line = self.line_of(row, kwargs.get("row_number", 0))
        instance._import_before = None if new else self.snapshot(instance)

    def import_instance(self, instance, row, **kwargs):
        # Field.save() for each column, without django-import-export's
        # per-field indirections (this loop runs for every cell).
        # (Field.clean(): the widget's clean, then the column's default for
        # a blank cell.)
        errors, m2m = {}, {}
        for column_name, attribute, clean, default, is_m2m, saves_null_values in self._cell_plan:
            if column_name not in row:
                continue
            try:
                value = clean(row[column_name], row=row)
            except ValueError as exc:
                errors[attribute] = [ValidationError(str(exc), code="invalid")]
                continue
            if default is not NOT_PROVIDED and (value is None or value == ""):
                value = default() if callable(default) else default
            if is_m2m:
                m2m[attribute] = value
            elif value is not None or saves_null_values:
                setattr(instance, attribute, value)
        instance._import_m2m = m2m
        if self.tree and not errors and instance.parent is not None and instance.parent.pk is None:
            # The parent was created earlier in this file: write it now so
            # that the model's checks (and the child's row) see its id.
            self.flush_creates()
            instance.parent = instance.parent
        if errors:
            raise ValidationError(errors)

    def snapshot(self, instance, m2m=None):
        """Comparable values of the imported columns."""
        values = {}
        for field in self.import_columns():
            if isinstance(field.widget, widgets.ManyToManyWidget):
                if m2m is not None and field.attribute in m2m:
                    objs = m2m[field.attribute]
                elif instance.pk is not None:
                    objs = list(getattr(instance, field.attribute).all())
                else:
                    objs = []
                values[field.attribute] = tuple(sorted(str(o.pk) for o in objs))
            else:
                value = getattr(instance, field.attribute, None)
                if isinstance(value, models.Model):
                    value = (type(value), value.pk, id(value) if value.pk is None else None)
                values[field.attribute] = value
        return values

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or instance._import_before is None:
            return False
        after = self.snapshot(instance, instance._import_m2m)
        instance._import_changes = [a for a, v in after.items() if instance._import_before.get(a) != v]
        return not instance._import_changes

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        exclude = set(errors)
        for attribute in self._fk_attributes:
            # Foreign keys came from the cache: they exist (no query per row).
            if getattr(instance, attribute, None) is not None:
                exclude.add(attribute)
        try:
            self._cleaner.full_clean(instance, exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        try:
            self.validate_row(instance)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def validate_row(self, instance):
        """Checks beyond the model's own (override)."""

    def _model_field(self, attribute):
        try:
            return self._meta.model._meta.get_field(attribute)
        except Exception:
            return None

    def save_instance(self, instance, is_create, row, **kwargs):
        super().save_instance(instance, is_create, row, **kwargs)
        self.register(instance)
        if instance._import_m2m:
            self._m2m_instances.append(instance)
        self.changed_instances.append(instance)

    def flush_creates(self):
        if self.create_instances:
            self._meta.model.objects.bulk_create(self.create_instances)
            self.create_instances.clear()

    def get_bulk_update_fields(self):
        names = []
        for field in self.import_columns():
            model_field = self._model_field(field.attribute)
            if model_field is not None and model_field.concrete and not model_field.many_to_many:
                names.append(field.attribute)
        return names

    def import_row(self, row, instance_loader, **kwargs):
        result = super().import_row(row, instance_loader, **kwargs)
        line = self.line_of(row, kwargs.get("row_number", 0))
        if result.validation_error is not None:
            self._remember_bad(row)
            error = result.validation_error
            items = error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]
            for attribute, messages in items:
                for message in messages:
                    self.add_error(line, self.column_label(attribute), message)
        for err in result.errors:
            self._remember_bad(row)
            self.add_error(line, "", str(err.error))
        self.counts[result.import_type] += 1
        if result.import_type in (RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE):
            self._add_preview(line, result.import_type, row)
        self.processed += 1
        if self.progress is not None and self.processed % self.progress_every == 0:
            self.progress(self.processed)
        return result

    def _remember_bad(self, row):
        if "code" in self.fields and self.fields["code"].column_name in row:
            self._bad_codes.add(cell_text(row[self.fields["code"].column_name]))

    def add_error(self, line, field, message):
        self.row_errors.append({"row": line, "field": str(field or ""), "message": str(message)})

    # --- After the last row -----------------------------------------------------

    def after_import(self, dataset, result, **kwargs):
        # No sequence reset (ids are never imported). Write many-to-many
        # columns in bulk now that every row has its id.
        if result.has_errors() or result.has_validation_errors():
            return
        self.check_whole_file()
        if self.row_errors:
            return
        model = self._meta.model
        for field in self.import_columns():
            if not isinstance(field.widget, widgets.ManyToManyWidget):
                continue
            m2m = model._meta.get_field(field.attribute)
            through = m2m.remote_field.through
            source, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
            touched = [i for i in self._m2m_instances if field.attribute in i._import_m2m]
            through.objects.filter(**{f"{source}__in": [i.pk for i in touched if not i._import_new]}).delete()
            through.objects.bulk_create([
                through(**{f"{source}_id": i.pk, f"{target}_id": obj.pk})
                for i in touched for obj in dict.fromkeys(i._import_m2m[field.attribute])
            ])
        self.after_write(dry_run=kwargs.get("dry_run", False))

    def check_whole_file(self):
        """Rules that need every row (override; report with add_error)."""

    def after_write(self, *, dry_run):
        """Side effects of a successful import (override)."""
