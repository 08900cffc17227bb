"""The small 高平-like deployment of the case lifecycle tests, for the
publishing tests that walk cases through the services."""

from tests.casemodels.conftest import calendar, clock, flow, world  # noqa: F401 (fixtures)
