"""Types of the analysis API: the dataclasses of
``casemodels.services.analysis`` as GraphQL objects. Counts and labels
only; no case data."""

import graphene

from ..cases.types import CodeName


def _decimal(value):
    return None if value is None else float(value)


class HotspotType(graphene.ObjectType):
    """A directory item or a region and the cases received about it in the window."""

    class Meta:
        name = "Hotspot"

    code = graphene.String(required=True)
    name = graphene.String(required=True)
    cases = graphene.Int(required=True, description="Cases received in the window.")
    previous = graphene.Int(required=True, description="Cases received in the window of the same length just before.")
    change = graphene.Int(required=True, description="cases − previous.")
    share = graphene.Float(description="Of all the window's cases, 0 to 1 (four places).")

    def resolve_share(self, info):
        return _decimal(self.share)


class RisingMatterType(graphene.ObjectType):
    """Many cases about one place and one directory item in a short window: an
    early sign of an emerging or collective problem (苗头性 / 群体性)."""

    class Meta:
        name = "RisingMatter"

    region = graphene.Field(CodeName, required=True)
    directory_item = graphene.Field(CodeName, required=True)
    cases = graphene.Int(required=True, description="Cases received in the window.")
    citizens = graphene.Int(
        required=True, description="Different phone numbers among them (anonymous callers not counted).",
    )
    previous = graphene.Int(required=True, description="Cases received in the window of the same length just before.")
    first_received = graphene.DateTime(required=True, description="The first of them, in the window.")
    last_received = graphene.DateTime(required=True, description="The latest of them.")

    def resolve_region(self, info):
        return CodeName(code=self.region_code, name=self.region_name)

    def resolve_directory_item(self, info):
        return CodeName(code=self.item_code, name=self.item_name)


class SeasonalItemType(graphene.ObjectType):
    class Meta:
        name = "SeasonalItem"

    code = graphene.String(required=True)
    name = graphene.String(required=True)
    cases = graphene.Int(required=True, description="Cases received in the month.")
    last_year = graphene.Int(required=True, description="Cases received in the same month a year before.")


class SeasonalType(graphene.ObjectType):
    """A month against the same month a year before."""

    class Meta:
        name = "Seasonal"

    month = graphene.String(required=True, description="The month, e.g. 2025-10.")
    cases = graphene.Int(required=True, description="Cases received in the month.")
    last_year = graphene.Int(required=True, description="Cases received in the same month a year before.")
    change_rate = graphene.Float(description="(cases − lastYear) / lastYear; null without cases last year.")
    items = graphene.List(
        graphene.NonNull(SeasonalItemType), required=True,
        description="The directory items with the most cases this month (then last year), most first.",
    )

    def resolve_month(self, info):
        return f"{self.month:%Y-%m}"

    def resolve_change_rate(self, info):
        return _decimal(self.change_rate)


class WeekdayType(graphene.ObjectType):
    """The cases received on one week-day of the window."""

    class Meta:
        name = "WeekdayCount"

    weekday = graphene.Int(required=True, description="ISO: 1 is Monday, 7 is Sunday.")
    label = graphene.String(required=True, description="The week-day's name, in the caller's language.")
    cases = graphene.Int(required=True)
    days = graphene.Int(required=True, description="Such week-days in the window.")
    per_day = graphene.Float(description="cases / days (two places); null when the window has no such day.")

    def resolve_per_day(self, info):
        return _decimal(self.per_day)
