"""The public pages' cache: anonymous GET and HEAD requests for Wagtail pages
are answered from the Django cache (Redis in production, local memory in
the embedded setup) without routing to the page, reading the site or any
other SQL.

``serve`` wraps Wagtail's ``wagtail.views.serve`` and takes its place in the
URLconf (``public_urlpatterns()``, same route and name ``wagtail_serve``, so
page URLs reverse as before).

**Key**: the scheme, host and full path with the query string (``?period=``
of the result board) and the active language; each entry keeps the public
version it was rendered under (``publishing.cache``) and counts only while
that is the current one. A bump of the version thus makes every cached page
stale at once; the next request renders the page again and overwrites the
stale entry in place.

**Two levels**: each process keeps the pages it served in memory
(``LocalPages``, at most ``MINSHENG_PAGE_CACHE_LOCAL_ENTRIES``, 128), in
front of the shared cache (its key: the URL hashed). A hit in the process
costs no cache read at all when the version is kept too: on Redis the
process reads the version at most once a second
(``current_public_version``), so a change made elsewhere shows within that
second; on the local-memory cache the version is read on every request (a
few microseconds). A page missing in the process is looked for in the
shared cache (one read), then rendered and stored in both.

**Never from the cache, never into it** (the request goes to Wagtail as
if there were no cache):

- methods other than GET and HEAD (a form's POST); HEAD is answered from an
  entry a GET stored, but never stores one;
- a request carrying the session cookie (a signed-in editor, the preview, a
  visitor who passed a page's password) or the messages cookie (a message
  waiting to be shown to that visitor).

**Not stored** (checked after the page has rendered):

- a status other than 200 (redirects, errors), a streaming response;
- a response that sets a cookie, has a ``Vary`` header (``Vary: Cookie``
  above all: the key holds none of the request's headers) or says
  ``Cache-Control: private / no-cache / no-store / max-age=0`` — Wagtail
  sends the latter for pages with view restrictions (private pages), and a
  page can opt out the same way (``django.views.decorators.cache.never_cache``
  semantics: ``django.utils.cache.add_never_cache_headers(response)``);
- a page that used the CSRF token (a form: ``{% csrf_token %}`` asks for
  the cookie, ``CSRF_COOKIE_NEEDS_UPDATE``), that wrote to the session or
  added a message.

A page that only *read* the empty session of an anonymous visitor (the
userbar asks who is signed in) is stored: without a session cookie, every
visitor gets that same page. ``SessionMiddleware`` still adds ``Vary:
Cookie`` to what it sends, so a browser or proxy keeps telling visitors apart.

**Time**: an entry is kept ``MINSHENG_PAGE_CACHE_SECONDS`` (default 300,
the result board's own cache time) or the page's ``max-age`` if it sets one;
the version makes pages stale as soon as something they show changes
(``cms.signals``), the time bounds what no signal covers (the board's totals
of received and closed cases, recent closed cases) and, on the local-memory
cache, changes made in another process.

Why not ``django.middleware.cache`` / ``cache_page``: they key a page on a
fixed prefix (no version), take two reads of the shared cache per hit (the
Vary header list, then the pickled response: two network round trips on
Redis, which alone cost more than a bare Django view), cache ``Vary:
Cookie`` pages per cookie value instead of leaving them out, and add
``Expires`` / ``max-age`` headers that let browsers keep a page after it
changed. The pieces that fit are Django's own: the response checks of
``UpdateCacheMiddleware`` (200 only, not streaming, no cookie set, not
``private``, ``max-age`` as the time kept, ``get_max_age``), the
``Cache-Control`` parsing, the active language in the key as in
``learn_cache_key``, and a response served to HEAD from what GET stored, as
``FetchFromCacheMiddleware`` does.

Responses served from the cache carry ``X-Minsheng-Cache: hit``, rendered
ones that were stored ``X-Minsheng-Cache: miss``.
"""

import threading
import time
from hashlib import md5

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import re_path
from django.utils.cache import cc_delim_re, get_max_age
from django.utils.translation import get_language
from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views

from publishing.cache import current_public_version

KEY_PREFIX = "minsheng:page:"
DEFAULT_SECONDS = 300
DEFAULT_LOCAL_ENTRIES = 128
HEADER = "X-Minsheng-Cache"
# Cache-Control directives that keep a response out of a shared cache.
UNCACHEABLE = frozenset({"private", "no-cache", "no-store"})


def cache_seconds():
    return getattr(settings, "MINSHENG_PAGE_CACHE_SECONDS", DEFAULT_SECONDS)


class LocalPages:
    """The pages this process keeps in memory, in front of the shared cache:
    ``{url: (version, time.monotonic() deadline, (status, headers, content))}``,
    at most ``MINSHENG_PAGE_CACHE_LOCAL_ENTRIES`` (the oldest stored goes
    first). Reads take no lock; writes do."""

    def __init__(self):
        self.pages = {}
        self.lock = threading.Lock()

    def get(self, url, version):
        entry = self.pages.get(url)
        if entry is not None and entry[0] == version and entry[1] > time.monotonic():
            return entry[2]
        return None

    def put(self, url, version, seconds, payload):
        limit = getattr(settings, "MINSHENG_PAGE_CACHE_LOCAL_ENTRIES", DEFAULT_LOCAL_ENTRIES)
        if limit <= 0 or seconds <= 0:
            return
        with self.lock:
            self.pages.pop(url, None)
            while len(self.pages) >= limit:
                self.pages.pop(next(iter(self.pages)))
            self.pages[url] = (version, time.monotonic() + seconds, payload)

    def clear(self):
        with self.lock:
            self.pages.clear()


local_pages = LocalPages()


def page_url(request):
    """What tells a cached page apart: scheme, host, path, query string and
    language, as one string.

    The host is taken as sent, unchecked (``get_host`` checks it against
    ALLOWED_HOSTS; ``CommonMiddleware`` has just done so): an entry exists
    only for a host Wagtail accepted when it rendered the page, so a host
    it would refuse can never find one."""
    meta = request.META
    return f"{request.scheme}://{request._get_raw_host()}{request.path}?{meta.get('QUERY_STRING', '')}|{get_language()}"


def page_key(url):
    """The shared cache's key for a page's URL (``page_url``)."""
    return KEY_PREFIX + md5(url.encode(), usedforsecurity=False).hexdigest()


def request_is_cacheable(request):
    """GET or HEAD, without a session or messages cookie."""
    if request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    return not cookies or (settings.SESSION_COOKIE_NAME not in cookies and CookieStorage.cookie_name not in cookies)


def response_is_cacheable(request, response):
    """Whether a rendered response may be served to every anonymous visitor."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if response.has_header("Vary"):  # the key holds none of the request's headers
        return False
    control = response.get("Cache-Control")
    if control:
        directives = {part.split("=", 1)[0].strip().lower() for part in cc_delim_re.split(control)}
        if directives & UNCACHEABLE or get_max_age(response) == 0:
            return False
    meta = request.META
    if meta.get("CSRF_COOKIE_NEEDS_UPDATE") or meta.get("CSRF_COOKIE_USED"):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    messages = getattr(request, "_messages", None)
    return not getattr(messages, "added_new", False)


def cached_response(payload):
    status, headers, content = payload
    response = HttpResponse(content, status=status, headers=headers)
    response[HEADER] = "hit"
    return response


def store(request, response, url, version):
    """Keep ``response`` for ``url`` under the ``version`` it was rendered
    under, if it may be kept: in the shared cache and in this process."""
    if not response_is_cacheable(request, response):
        return
    max_age = get_max_age(response)
    seconds = cache_seconds() if max_age is None else max_age
    content = response.content
    headers = dict(response.items())
    headers["Content-Length"] = str(len(content))  # (CommonMiddleware would join the content again to count it)
    payload = (response.status_code, headers, content)
    cache.set(page_key(url), (version, time.time() + seconds, payload), seconds)
    local_pages.put(url, version, seconds, payload)
    response[HEADER] = "miss"


def from_shared_cache(url, version):
    """The page from the shared cache if it is there for ``version`` (kept in
    this process from then on), else None."""
    entry = cache.get(page_key(url))
    if entry is None or entry[0] != version:
        return None
    _version, expires, payload = entry
    local_pages.put(url, version, expires - time.time(), payload)
    return payload


def serve(request, path):
    """Wagtail's ``serve`` behind the public pages' cache (module docstring)."""
    if not request_is_cacheable(request):
        return wagtail_views.serve(request, path)
    url = page_url(request)
    version = current_public_version()
    payload = local_pages.get(url, version) or from_shared_cache(url, version)
    if payload is not None:
        return cached_response(payload)
    response = wagtail_views.serve(request, path)
    if request.method == "GET":
        if hasattr(response, "render") and callable(response.render) and not response.is_rendered:
            response.add_post_render_callback(lambda rendered: store(request, rendered, url, version))
        else:
            store(request, response, url, version)
    return response


def public_urlpatterns():
    """Wagtail's front-end URLs with ``serve`` in place of Wagtail's own
    (same route, same name); the password and login views unchanged."""
    return [
        re_path(pattern.pattern.regex.pattern, serve, name=pattern.name) if pattern.name == "wagtail_serve" else pattern
        for pattern in wagtail_urls.urlpatterns
    ]
