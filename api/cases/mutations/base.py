"""What every staff lifecycle mutation shares (saleor's thin mutations):
one payload type per mutation with the changed ``case`` and typed
``errors``, and the steps around the service call.

1. Who asks: anonymous callers get ``unauthenticated``; signed-in users who
   are not staff of the centre get ``not_allowed``.
2. The case by its number through ``lookup.find_case``: a case the asker
   may not see gets ``not_found`` on ``number``, exactly like a case that
   does not exist.
3. The service, with ``acting_user`` and ``expectedVersion`` when given.
   Arguments left out or null are not passed, so the service's defaults
   apply. Units, channels, regions and directory items go in as codes; the
   services resolve them and name the field of an unknown one.
4. A refusal (``CaseActionError``, ``ValidationError``) becomes ``errors``
   and nothing was changed (the services are atomic). Success returns the
   case read again through ``find_case``: what the asker may see of it now.
"""

import graphene
from django.utils.translation import gettext as _
from graphene.types.unmountedtype import UnmountedType

from ...core.errors import REFUSALS, Error, error, errors_from
from ...core.viewer import user_of
from ..dataloaders import reset_loaders
from ..lookup import find_case, staff
from ..types import CaseType


class Refused(Exception):
    """Ends a mutation with these errors; nothing has been changed."""

    def __init__(self, *errors):
        super().__init__(*errors)
        self.errors = list(errors)


def not_found(field="number"):
    return Refused(error("not_found", _("There is no case with this number."), field))


def signed_out(info):
    """The error for a caller who is not staff of the centre."""
    if user_of(info) is None:
        return error("unauthenticated", _("You must sign in to do this."))
    return error("not_allowed", _("Only the centre's staff may do this."))


def given(arguments):
    """The arguments the caller gave a value (null counts as left out)."""
    return {name: value for name, value in arguments.items() if value is not None}


def case_or_refuse(info, number, field="number"):
    case = find_case(info, number)
    if case is None:
        raise not_found(field)
    return case


def number_argument():
    return graphene.String(required=True, description="The case's number.")


def expected_version_argument():
    return graphene.Int(
        description="The case's `version` you saw; if the case has changed since, the answer is a `conflict` "
        "error and nothing is done. Left out: act on the case as it is now.",
    )


def declared_arguments(cls):
    """The arguments declared in the class's own ``Arguments``, in their order."""
    declared = vars(cls.__dict__.get("Arguments", type("Arguments", (), {})))
    return {name: value for name, value in declared.items() if isinstance(value, (UnmountedType, graphene.Argument))}


class CaseMutation(graphene.Mutation):
    """A lifecycle action on one case. Subclasses name the ``service`` and
    declare their own ``Arguments`` (the service's parameter names; graphene
    writes them in camelCase); ``number`` comes first and
    ``expectedVersion`` last unless ``on_one_case`` is false. They override
    ``perform`` only when the arguments need more than passing on."""

    class Meta:
        abstract = True

    case = graphene.Field(CaseType, description="The case as it is now; null when refused.")
    errors = graphene.List(
        graphene.NonNull(Error), required=True, description="Why nothing was done; empty on success.",
    )

    service = None
    on_one_case = True

    @classmethod
    def __init_subclass_with_meta__(cls, name=None, arguments=None, **options):
        if arguments is None:
            arguments = declared_arguments(cls)
            if cls.on_one_case:
                arguments = {"number": number_argument(), **arguments, "expected_version": expected_version_argument()}
        super().__init_subclass_with_meta__(name=name or f"{cls.__name__}Payload", arguments=arguments, **options)

    @classmethod
    def mutate(cls, root, info, **arguments):
        user = staff(info)
        if user is None:
            return cls(case=None, errors=[signed_out(info)])
        try:
            case = cls.perform(info, user, **given(arguments))
        except Refused as exc:
            return cls(case=None, errors=exc.errors)
        except REFUSALS as exc:
            return cls(case=None, errors=errors_from(exc))
        reset_loaders(info)
        return cls(case=find_case(info, case.number), errors=[])

    @classmethod
    def perform(cls, info, user, number, **arguments):
        """Find the case and call the service; return the case to show."""
        case = case_or_refuse(info, number)
        cls.service(case, acting_user=user, **arguments)
        return case
