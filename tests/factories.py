"""factory_boy factories for configuration (snippets) and cases.

Cases are made through the ``register_case`` service, never by writing rows
directly, so a factory-made case has its number, owner unit, policy,
deadlines and REGISTER event exactly as in production.
"""

import factory
from django.contrib.auth import get_user_model

from snippets.models import (
    CaseType, Channel, DirectoryItem, Level, PolicyLimit, Region, Role, StaffProfile, TimeLimitPolicy, Unit,
    WarningRule,
)


def roles_of(codes):
    """The ``Role`` rows of the role codes. get_or_create: the roles come
    from a data migration, which a transactional test's flush may have removed."""
    return [Role.objects.get_or_create(code=code, defaults={"name": Role.Code(code).label})[0] for code in codes]


class RegionFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"区域{n}")
    code = factory.Sequence(lambda n: f"R{n:04d}")
    level = Level.CITY
    parent = None

    class Meta:
        model = Region


class UnitFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"单位{n}")
    code = factory.Sequence(lambda n: f"U{n:04d}")
    kind = Unit.Kind.DEPARTMENT
    level = Level.CITY
    parent = None
    region = None

    class Meta:
        model = Unit


class UserFactory(factory.django.DjangoModelFactory):
    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw")

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)


class StaffFactory(factory.django.DjangoModelFactory):
    """A staff member with a user account and role codes::

        StaffFactory(unit=centre, roles=["dispatcher"]).user
    """

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"工作人员{n}")
    unit = factory.SubFactory(UnitFactory)
    phone = ""

    class Meta:
        model = StaffProfile
        skip_postgeneration_save = True

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        self.roles.set(roles_of(extracted))


class ChannelFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"渠道{n}")
    code = factory.Sequence(lambda n: f"ch{n}")
    is_public = False

    class Meta:
        model = Channel


class DirectoryItemFactory(factory.django.DjangoModelFactory):
    """A directory item; routing ``none`` (a category) unless told otherwise."""

    name = factory.Sequence(lambda n: f"目录{n}")
    code = factory.Sequence(lambda n: f"D{n:04d}")
    parent = None
    routing = DirectoryItem.Routing.NONE

    class Meta:
        model = DirectoryItem
        skip_postgeneration_save = True

    @factory.post_generation
    def co_handlers(self, create, extracted, **kwargs):
        if create and extracted:
            self.co_handlers.set(extracted)


class PolicyFactory(factory.django.DjangoModelFactory):
    """A time-limit policy with its limits::

        PolicyFactory(priority=10, limits={"reply": (5, "working_days"), "sign": (2, "hours")})
        PolicyFactory(limits={"reply": ("fixed_date", 5, 31)})
    """

    name = factory.Sequence(lambda n: f"时限{n}")
    priority = 100

    class Meta:
        model = TimeLimitPolicy
        skip_postgeneration_save = True

    @factory.post_generation
    def limits(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        for order, (kind, spec) in enumerate(extracted.items()):
            if spec[0] == PolicyLimit.Unit.FIXED_DATE:
                _, month, day = spec
                PolicyLimit.objects.create(
                    policy=self, kind=kind, unit=PolicyLimit.Unit.FIXED_DATE, fixed_month=month, fixed_day=day,
                    sort_order=order,
                )
            else:
                amount, unit = spec
                PolicyLimit.objects.create(policy=self, kind=kind, amount=amount, unit=unit, sort_order=order)


_DEADLINE_KINDS = (WarningRule.Kind.NEAR_DUE, WarningRule.Kind.OVERDUE)


class WarningRuleFactory(factory.django.DjangoModelFactory):
    """A warning rule, validated as the admin would (``full_clean``) before
    it is saved, with the channels it is limited to, the role codes and the
    staff profiles it tells::

        WarningRuleFactory()  # overdue reply deadline, red, told in the admin
        WarningRuleFactory(kind="near_due", share_elapsed=80, roles=["unit_leader"], by_sms=True)
        WarningRuleFactory(kind="repeat_matter", threshold=3, window_days=3, channels=[hotline])

    Near-due and overdue rules watch the reply deadline unless told
    otherwise; overdue rules light red, the others yellow."""

    name = factory.Sequence(lambda n: f"规则{n}")
    kind = WarningRule.Kind.OVERDUE
    light = factory.LazyAttribute(
        lambda o: WarningRule.Light.RED if o.kind == WarningRule.Kind.OVERDUE else WarningRule.Light.YELLOW
    )
    deadline = factory.LazyAttribute(lambda o: WarningRule.Deadline.REPLY if o.kind in _DEADLINE_KINDS else "")

    class Meta:
        model = WarningRule
        skip_postgeneration_save = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        rule = model_class(*args, **kwargs)
        rule.full_clean()
        rule.save()
        return rule

    @factory.post_generation
    def channels(self, create, extracted, **kwargs):
        if create and extracted:
            self.channels.set(extracted)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.notify_roles.set(roles_of(extracted))

    @factory.post_generation
    def staff(self, create, extracted, **kwargs):
        if create and extracted:
            self.notify_staff.set(extracted)


class CaseFactory(factory.Factory):
    """A case registered through ``register_case``. ``acting_user=None`` is a
    public submission, so the default channel is public; the deployment
    needs a root (command centre) unit to own it."""

    acting_user = None
    channel = factory.SubFactory(ChannelFactory, is_public=True)
    case_type = CaseType.COMPLAINT
    title = ""
    content = factory.Sequence(lambda n: f"小区门口路灯坏了第{n}盏，晚上很黑。")
    citizen_name = "张三"
    citizen_phone = "13812341234"

    class Meta:
        model = dict  # built by _create through the service

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from casemodels.services import register_case

        return register_case(**kwargs)
