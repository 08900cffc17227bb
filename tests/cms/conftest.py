"""Fixtures of the site tests: the small 高平-like deployment of the case
lifecycle tests (``world``, ``flow``, a frozen ``clock``) and the public
site's pages over a fresh database (``site``) or over that deployment
(``world_site``); a bare home page as the site's root for the cache tests
(``home``)."""

from tests.casemodels.conftest import calendar, clock, flow, world  # noqa: F401 (fixtures)
from tests.cms.caching import home  # noqa: F401 (fixtures)
from tests.cms.pages import site, world_site  # noqa: F401 (fixtures)
