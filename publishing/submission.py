"""A citizen's request from the public: the web site's submit page and the
API's ``submitCase`` (web portal, mini-program). The one place that holds
the rules of a public submission.

- It is always a public submission (``register_case`` with no acting user),
  whoever calls it, signed in or not: only channels open to the public, the
  case owned by the command centre. ``register_case`` checks the input and
  makes a retry with the same ``(channel, external_id)`` return the case
  already registered.
- Submissions are counted per client address (``publishing.clients``),
  every attempt that reaches here included: past ``MINSHENG_SUBMIT_LIMIT``
  (default 20) within ``MINSHENG_SUBMIT_WINDOW`` seconds (default 3600) it
  is refused with ``Throttled`` and nothing is looked at. No captcha.

Refusals are ``casemodels.services`` errors (``CaseActionError`` with a
``code`` and the ``field`` it is about) or a Django ``ValidationError``
(``REFUSALS``); nothing is written then."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from casemodels.services import CaseActionError, register_case

from .throttles import Throttle

SUBMIT_LIMIT = 20
SUBMIT_WINDOW = 3600  # seconds

# What a public submission may carry (besides the channel).
FIELDS = (
    "external_id", "case_type", "title", "content", "citizen_name", "citizen_phone", "address", "region",
    "directory_item", "is_anonymous", "is_confidential",
)

REFUSALS = (CaseActionError, ValidationError)


class Throttled(CaseActionError):
    """Too many submissions from one client address; nothing was looked at."""

    default_code = "throttled"


def submissions():
    """The submission throttle, with the limit and window of the settings."""
    return Throttle(
        "submit",
        limit=getattr(settings, "MINSHENG_SUBMIT_LIMIT", SUBMIT_LIMIT),
        window=getattr(settings, "MINSHENG_SUBMIT_WINDOW", SUBMIT_WINDOW),
    )


def submit_request(*, client, channel, **data):
    """Register a citizen's request from ``channel`` (a ``Channel`` or its
    code) and return the case; its ``number`` and ``query_code`` are for the
    citizen to track it with. ``client`` is the caller's address
    (``publishing.clients.client_address``). ``data`` holds the ``FIELDS``;
    any other name is a programming error (``TypeError``).

    Raises ``Throttled`` past the limit (the attempt counted, nothing else
    done), or one of ``REFUSALS`` for bad input (nothing written)."""
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise TypeError(f"submit_request() got unexpected fields: {', '.join(sorted(unknown))}")
    if not submissions().allow(client=client or "unknown"):
        raise Throttled(_("Too many requests were submitted from your address; please try again later."))
    return register_case(acting_user=None, channel=channel, **data)
