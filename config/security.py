"""Security headers and the sign-in lockout's answer.

``SecurityHeadersMiddleware`` (django-csp's middleware, one policy per part
of the site) sends a Content-Security-Policy and a Permissions-Policy with
every response; Django's ``SecurityMiddleware`` adds X-Content-Type-Options,
Referrer-Policy and Cross-Origin-Opener-Policy (``SECURE_*`` settings).

- The public site (``cms`` templates) runs no inline script and no inline
  style: its scripts are static files (``cms/static/cms/led.js``), so its
  policy allows scripts and styles from the site itself only.
- The Wagtail admin (``/admin/``, and Django's at ``/django-admin/``) uses
  inline scripts (date widgets, inline panels, workflow dialogs) and inline
  styles, shows images of embedded media from other hosts and previews
  pages in a frame: its policy allows those, and nothing from elsewhere.
- ``/graphql/`` answers JSON, which needs nothing (``default-src 'none'``);
  GraphiQL, the HTML explorer shown to staff, loads its scripts from
  jsDelivr (pinned by integrity hashes) and runs one inline script.

No page may be framed (``frame-ancestors``, and ``X_FRAME_OPTIONS = "DENY"``)
but the admin's, by the admin itself: Wagtail previews a page in a frame.

``lockout_response`` is django-axes' answer when an address has made too
many failed sign-ins for one username (``AXES_LOCKOUT_CALLABLE``): the
sign-in page again, its error replaced by one saying so, with HTTP 429."""

from urllib.parse import urlsplit

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.forms.utils import ErrorDict
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import ngettext

ADMIN_PREFIXES = ("/admin/", "/django-admin/")
API_PREFIX = "/graphql/"
GRAPHIQL_CDN = "https://cdn.jsdelivr.net"

# Browser features no page of the site uses.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "camera", "display-capture", "geolocation", "gyroscope", "magnetometer",
        "microphone", "midi", "payment", "publickey-credentials-get", "usb", "xr-spatial-tracking",
    )
)


def _origin(url):
    """``https://host[:port]`` of an absolute URL, None for a path."""
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def _extra(name):
    return [source for source in getattr(settings, name, []) if source]


def public_policy():
    """Scripts and styles of the site only; images and media also from the
    media host when ``MEDIA_URL`` is absolute; frames (embedded videos) from
    ``MINSHENG_CSP_FRAME_SRC``."""
    media = [origin] if (origin := _origin(settings.MEDIA_URL)) else []
    return {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *media],
        "media-src": [SELF, *media],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF, *_extra("MINSHENG_CSP_FRAME_SRC")],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }


WAGTAIL_RELEASES = "https://releases.wagtail.org"  # the admin's check for a newer Wagtail


def admin_policy():
    update_check = [WAGTAIL_RELEASES] if getattr(settings, "WAGTAIL_ENABLE_UPDATE_CHECK", True) else []
    return {
        "default-src": [SELF],
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        # Thumbnails of embedded media and avatars come from other hosts.
        "img-src": [SELF, "data:", "blob:", "https:"],
        "media-src": [SELF, "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF, *update_check],
        # Page previews (same origin: the preview views also send X-Frame-Options SAMEORIGIN)
        # and previews of embedded media.
        "frame-src": [SELF, *_extra("MINSHENG_CSP_FRAME_SRC"), "https:"],
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    }


def api_policy():
    return {"default-src": [NONE], "base-uri": [NONE], "form-action": [NONE], "frame-ancestors": [NONE]}


def graphiql_policy():
    return {
        "default-src": [SELF],
        "script-src": [SELF, UNSAFE_INLINE, GRAPHIQL_CDN],
        "style-src": [SELF, UNSAFE_INLINE, GRAPHIQL_CDN],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:", GRAPHIQL_CDN],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }


def policy_for(request, response):
    path = request.path_info
    if path.startswith(ADMIN_PREFIXES):
        return admin_policy()
    if path.startswith(API_PREFIX):
        is_html = response.get("Content-Type", "").startswith("text/html")
        return graphiql_policy() if is_html else api_policy()
    return public_policy()


class SecurityHeadersMiddleware(CSPMiddleware):
    """django-csp with the policy of the part of the site a request is for
    (a view's own ``@csp_replace`` / ``@csp_update`` still applies on top)
    and a Permissions-Policy header."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and parts.config is None:
            parts.config = policy_for(request, response)
        return parts

    def process_response(self, request, response):
        response = super().process_response(request, response)
        if "Permissions-Policy" not in response:
            response["Permissions-Policy"] = PERMISSIONS_POLICY
        return response


# --- Sign-in lockout (django-axes) ------------------------------------------------------------
def lockout_message():
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return ngettext(
        "Too many failed sign-in attempts for this account from your address. "
        "Try again in %(minutes)s minute, or ask an administrator to unlock the account.",
        "Too many failed sign-in attempts for this account from your address. "
        "Try again in %(minutes)s minutes, or ask an administrator to unlock the account.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    """The sign-in page (Wagtail's or Django's) with the lockout message as
    its only error, HTTP 429; a plain-text 429 for any other response."""
    message = lockout_message()
    context = getattr(original_response, "context_data", None) or {}
    form = context.get("form")
    if isinstance(original_response, TemplateResponse) and form is not None and hasattr(form, "cleaned_data"):
        form._errors = ErrorDict()
        form.add_error(None, message)
        response = TemplateResponse(
            request, original_response.template_name, context, status=settings.AXES_HTTP_RESPONSE_CODE,
        )
        return response.render()
    return HttpResponse(
        message, status=settings.AXES_HTTP_RESPONSE_CODE, content_type="text/plain; charset=utf-8",
    )


def axes_client_address(request):
    """The address django-axes records and locks on: the one the public
    throttles use (``publishing.clients.client_address``), or None when there
    is none that is an IP address (a request made in code, such as a test
    client's ``force_login``): axes keeps it in an IP-address column, which
    PostgreSQL refuses to fill with anything else."""
    import ipaddress

    from publishing.clients import client_address

    address = client_address(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
