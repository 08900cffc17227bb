"""The citizen's pages: submit a request (the web channel) and track a case
by its number and query code.

Both are thin: a submission goes through ``publishing.submission``
(``submit_request``: public channels only, the throttle per client
address, ``register_case``'s checks) and a look-up through
``publishing.tracking`` (``locate_case``: the wrong-code throttle;
``public_view``: masked, in public wording). Neither page is ever cached:
their answers belong to one visitor."""

from django.db import models
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from publishing.clients import client_address
from publishing.submission import REFUSALS, Throttled, submit_request
from publishing.tracking import locate_case, public_view

from ..forms import SubmitRequestForm, TrackCaseForm, not_found_message, throttled_message


def _render(page, request, status=200, **extra):
    context = page.get_context(request)
    context.update(extra)
    response = TemplateResponse(request, page.get_template(request), context, status=status)
    add_never_cache_headers(response)
    return response


class SubmitRequestPage(Page):
    """The web channel: a citizen submits a request with a form, without
    signing in, and gets the case number and the query code to track it
    with. The channel the cases come in through is the page's; it must be a
    channel open to the public."""

    intro = RichTextField(gettext_lazy("introduction"), blank=True)
    channel = models.ForeignKey(
        "snippets.Channel", verbose_name=gettext_lazy("channel"), null=True, on_delete=models.SET_NULL,
        related_name="+", limit_choices_to={"is_public": True, "is_active": True},
        help_text=gettext_lazy("The channel requests from this page come in through (a channel open to the public)."),
    )
    success_text = RichTextField(
        gettext_lazy("text on success"), blank=True,
        help_text=gettext_lazy("Shown with the case number and query code once a request is in."),
    )

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("channel"), FieldPanel("success_text")]

    search_fields = Page.search_fields + [index.SearchField("intro")]

    parent_page_types = ["cms.HomePage"]
    subpage_types = []
    show_in_menus_default = True

    @property
    def session_key(self):
        return f"cms.submitted.{self.pk}"

    @property
    def accepts_requests(self):
        return self.channel is not None and self.channel.is_public and self.channel.is_active

    def serve(self, request, *args, **kwargs):
        if request.method == "POST":
            return self.serve_post(request)
        # Shown once: the number and code of the request just submitted (POST-redirect-GET).
        submitted = request.session.pop(self.session_key, None) if hasattr(request, "session") else None
        if submitted:
            return _render(self, request, submitted=submitted, track_url=track_url(request, submitted["number"]))
        return _render(self, request, form=SubmitRequestForm())

    def serve_post(self, request):
        form = SubmitRequestForm(request.POST)
        if not self.accepts_requests:
            form.add_error(None, _("This page does not take requests at the moment. Please call the hotline."))
            return _render(self, request, status=503, form=form)
        if not form.is_valid():
            return _render(self, request, status=400, form=form)
        try:
            case = submit_request(client=client_address(request), channel=self.channel, **form.cleaned_data)
        except Throttled as exc:
            form.add_error(None, exc.message)
            return _render(self, request, status=429, form=form, throttled=True)
        except REFUSALS as exc:
            form.add_refusal(exc)
            return _render(self, request, status=400, form=form)
        request.session[self.session_key] = {"number": case.number, "query_code": case.query_code}
        return HttpResponseRedirect(self.get_url(request))

    class Meta:
        verbose_name = gettext_lazy("submit-a-request page")


def track_url(request, number=""):
    """The track page's address, with the case number filled in; None without a track page."""
    page = TrackCasePage.objects.live().public().first()
    if page is None:
        return None
    url = page.get_url(request)
    return f"{url}?{urlencode({'number': number})}" if number else url


class TrackCasePage(Page):
    """Track my case (在线查询): the case number and query code give the
    case's state, its steps in public wording and the reply, masked. A wrong
    code and an unknown number get the same answer; too many wrong attempts
    from one address, or on one number, are refused for a while. The form is
    posted, so the code never appears in an address."""

    intro = RichTextField(gettext_lazy("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    search_fields = Page.search_fields + [index.SearchField("intro")]

    parent_page_types = ["cms.HomePage"]
    subpage_types = []
    max_count = 1
    show_in_menus_default = True

    def serve(self, request, *args, **kwargs):
        if request.method != "POST":
            number = (request.GET.get("number") or "").strip()[:40]
            return _render(self, request, form=TrackCaseForm(initial={"number": number}))
        form = TrackCaseForm(request.POST)
        if not form.is_valid():
            return _render(self, request, status=400, form=form)
        case, throttled = locate_case(
            form.cleaned_data["number"], form.cleaned_data["query_code"], client=client_address(request),
        )
        if throttled:
            return _render(self, request, status=429, form=form, message=throttled_message())
        if case is None:
            return _render(self, request, form=form, message=not_found_message())
        # The code is not echoed back into the form: the page may be left open on a shared screen.
        form = TrackCaseForm(initial={"number": form.cleaned_data["number"]})
        return _render(self, request, form=form, tracked=public_view(case))

    class Meta:
        verbose_name = gettext_lazy("track-my-case page")
