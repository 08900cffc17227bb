"""Who is calling: the client address that the public throttles count by
(wrong query codes, submissions), for the site and the API alike."""

import ipaddress

from django.conf import settings


def client_address(request):
    """The caller's IP address.

    Without a reverse proxy this is ``REMOTE_ADDR``. Behind N reverse proxies
    that each append to ``X-Forwarded-For`` (nginx ``$proxy_add_x_forwarded_for``),
    set ``MINSHENG_TRUSTED_PROXY_COUNT = N``: the address is then the Nth
    entry from the right, the one our own outermost proxy saw; entries further
    left are whatever the client chose to send and are ignored. Without that
    setting every citizen behind the proxy would share one address, and one
    throttle."""
    if request is None:
        return "unknown"
    remote = request.META.get("REMOTE_ADDR") or "unknown"
    hops = int(getattr(settings, "MINSHENG_TRUSTED_PROXY_COUNT", 0) or 0)
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < hops:
        return remote
    candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
