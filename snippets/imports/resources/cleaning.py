"""The model's ``full_clean()`` for thousands of rows of one import.

``RowCleaner.full_clean(instance, exclude)`` runs the same steps as
``Model.full_clean(exclude, validate_unique=False)`` — every field's
``clean()`` (``to_python``, ``validate``, validators), then the model's
``clean()``, then its constraints — with two savings that change no
outcome:

- a field whose check depends only on its value (no relation, Django's own
  ``Field.validate``) is checked once per distinct value in the file: the
  cleaned value, or the errors, are reused for the next row with the same
  value (a file repeats the same routing, level, flags and keywords
  thousands of times);
- ``validate_constraints()`` is skipped when the model has no constraints
  (it would check nothing).
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Field
from django.db.models.expressions import DatabaseDefault


class RowCleaner:
    def __init__(self, model):
        self.fields = [
            (f, f.name, f.attname, f.blank, f.empty_values,
             not f.is_relation and type(f).validate is Field.validate)
            for f in model._meta.concrete_fields if not f.generated
        ]
        self.has_constraints = any(constraints for _model, constraints in model(pk=None).get_constraints())
        self.memo = {}

    def clean_fields(self, instance, exclude):
        """``Model.clean_fields(exclude)``, with per-value reuse."""
        errors = {}
        memo = self.memo
        for field, name, attname, blank, empty_values, by_value in self.fields:
            if name in exclude:
                continue
            raw_value = getattr(instance, attname)
            if blank and raw_value in empty_values:
                continue
            if isinstance(raw_value, DatabaseDefault):
                continue
            key = (attname, type(raw_value), raw_value) if by_value else None
            if key is not None:
                try:
                    outcome = memo.get(key)
                except TypeError:  # an unhashable value: check it each time
                    key, outcome = None, None
                if outcome is not None:
                    ok, result = outcome
                    if ok:
                        setattr(instance, attname, result)
                    else:
                        errors[name] = result
                    continue
            try:
                cleaned = field.clean(raw_value, instance)
            except ValidationError as exc:
                errors[name] = exc.error_list
                if key is not None:
                    memo[key] = (False, exc.error_list)
            else:
                setattr(instance, attname, cleaned)
                if key is not None:
                    memo[key] = (True, cleaned)
        if errors:
            raise ValidationError(errors)

    def full_clean(self, instance, exclude):
        """``instance.full_clean(exclude=exclude, validate_unique=False)``."""
        errors = {}
        exclude = set(exclude)
        try:
            self.clean_fields(instance, exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        try:
            instance.clean()
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if self.has_constraints:
            exclude.update(name for name in errors if name != NON_FIELD_ERRORS)
            try:
                instance.validate_constraints(exclude=exclude)
            except ValidationError as exc:
                errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
