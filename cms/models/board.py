"""The result board page (红黑榜): a period's figures, rankings, hot spots,
trends, typical and recent cases, and its LED mode for the screens in
service halls.

The figures, lists and charts come from ``publishing.figures``
(``cached_board_summary``, ``board_charts``); this page only picks the
period and lays them out. Periods are written as the API writes them
(``2025``, ``2025-10``, ``2025-W41``; ``publishing.periods``)."""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from publishing.board import BadPeriod
from publishing.periods import MONTH, WEEK, YEAR, period_title

MONTHS_OFFERED = 12
WEEKS_OFFERED = 8
YEARS_OFFERED = 2


def local_today(now=None):
    """Today in the centre's time zone (``settings.TIME_ZONE``)."""
    return timezone.localtime(now or timezone.now(), ZoneInfo(settings.TIME_ZONE)).date()


def current_period(now=None):
    """The current month in the centre's time zone, as ``2025-10``."""
    return f"{local_today(now):%Y-%m}"


def period_choices(today=None):
    """The periods the selector offers, as ``[(group label, [(value, label), …]), …]``:
    the last 12 months, the last 8 ISO weeks and this year and last, newest first."""
    today = today or local_today()
    months, (year, month) = [], (today.year, today.month)
    for _i in range(MONTHS_OFFERED):
        day = datetime.date(year, month, 1)
        months.append((f"{day:%Y-%m}", period_title(day, MONTH)))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    weeks, monday = [], today - datetime.timedelta(days=today.weekday())
    for _i in range(WEEKS_OFFERED):
        iso_year, week, _weekday = monday.isocalendar()
        weeks.append((f"{iso_year}-W{week:02d}", period_title(monday, WEEK)))
        monday -= datetime.timedelta(days=7)
    years = [
        (str(today.year - i), period_title(datetime.date(today.year - i, 1, 1), YEAR)) for i in range(YEARS_OFFERED)
    ]
    return [(_("Months"), months), (_("Weeks"), weeks), (_("Years"), years)]


def load_summary(period):
    """The board summary of a period (``publishing.figures``, cached there).
    Raises ``BadPeriod`` naming the text when it is not a period."""
    from publishing.figures import cached_board_summary

    return cached_board_summary(period)


LED_CHART_WIDTH = 560  # drawn narrower, a chart is scaled up more on the screen: larger type


def load_charts(summary, **options):
    """The board's SVG charts: ``{"volume", "rates", "items", "regions"}``."""
    from publishing.figures import board_charts

    return board_charts(summary, **options)


class ResultBoardPage(RoutablePageMixin, Page):
    """The result board (红黑榜): for a period chosen with ``?period=`` (the
    current month by default), the centre's figures and 三率, the units'
    rankings per kind with their red and black lists, the hot directory
    items and regions, trend charts, the typical cases staff chose and the
    recent closed public cases, masked. ``led/`` shows the same board full
    screen for LED screens: its panels rotate and the page reloads itself."""

    intro = RichTextField(gettext_lazy("introduction"), blank=True)
    led_rotate_seconds = models.PositiveSmallIntegerField(
        gettext_lazy("LED: seconds per panel"), default=15,
        validators=[MinValueValidator(3), MaxValueValidator(600)],
        help_text=gettext_lazy("In LED mode, how long each panel stays on the screen (3–600 seconds)."),
    )
    led_refresh_seconds = models.PositiveIntegerField(
        gettext_lazy("LED: reload every (seconds)"), default=300,
        validators=[MinValueValidator(30), MaxValueValidator(86400)],
        help_text=gettext_lazy("In LED mode, how often the screen reloads the figures (30–86,400 seconds)."),
    )
    led_heading = models.CharField(
        gettext_lazy("LED: heading"), max_length=100, blank=True,
        help_text=gettext_lazy("Shown at the top of the LED screen; left empty, the page's title."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel(
            [FieldPanel("led_heading"), FieldRowPanel([FieldPanel("led_rotate_seconds"), FieldPanel("led_refresh_seconds")])],
            heading=gettext_lazy("LED mode"),
        ),
    ]

    search_fields = Page.search_fields + [index.SearchField("intro")]

    parent_page_types = ["cms.HomePage"]
    subpage_types = []
    max_count = 1
    show_in_menus_default = True

    def board_context(self, request, *, chart_options=None):
        """``(context, status)`` for the period asked for: the summary and
        charts, or the error naming a bad period (status 400)."""
        asked = (request.GET.get("period") or "").strip()
        period = asked or current_period()
        context = {"period": period, "period_choices": period_choices(), "summary": None, "charts": {}}
        try:
            summary = load_summary(period)
        except BadPeriod as exc:
            context["period_error"] = str(exc)
            return context, 400
        board = summary.board
        context.update(
            summary=summary, charts=load_charts(summary, **(chart_options or {})), period=board.period,
            period_title=period_title(board.start, board.kind),
            # the red and black lists that name a unit, red first, group by group
            lists=[(group, rows, "red") for group, rows in summary.red_lists if rows]
            + [(group, rows, "black") for group, rows in summary.black_lists if rows],
        )
        offered = {value for _group, values in context["period_choices"] for value, _label in values}
        if context["period"] not in offered:  # an older period typed in the address: offer it too
            context["period_choices"].append((_("Chosen"), [(context["period"], context["period_title"])]))
        return context, 200

    @path("")
    def board(self, request):
        context, status = self.board_context(request)
        response = self.render(request, context_overrides=context)
        response.status_code = status
        return response

    @path("led/")
    def led(self, request):
        context, status = self.board_context(request, chart_options={"width": LED_CHART_WIDTH})
        response = self.render(request, context_overrides=context, template="cms/result_board_led.html")
        response.status_code = status
        return response

    @property
    def led_title(self):
        return self.led_heading or self.title

    class Meta:
        verbose_name = gettext_lazy("result board page")
