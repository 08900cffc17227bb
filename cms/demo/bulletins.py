"""The demo's bulletin series and their first published issues, so that a
newcomer finds real PDFs on the bulletin archive page after the first
command; and two typical cases for the board.

- 《宁呼我应》 (宁国's weekly bulletin): every week, numbered within the year
  from 168 on (a series that had issues on paper), published automatically;
- 月度通报 (高平's monthly report to leaders and units): every month, every
  section, drafts until staff publish them;
- 《督查快报》 (supervision flash): on demand, numbered on from year to year,
  a brief layout: figures, overdue cases and notes.

Each series gets one published issue of the latest period its cases cover
(the demo's cases are spread over the two months before today). The
figures come from the roll-up, refreshed first. Issues are found by series
and period, so a second run adds nothing."""

from django.utils import timezone

from django.contrib.auth import get_user_model

from casemodels.models import Case
from casemodels.models.choices import Satisfaction
from casemodels.services.publicity import PUBLISHABLE_STATES, set_case_public
from casemodels.services.rollups import refresh_rollups
from publishing.bulletins import create_issue, due_period, publish_issue, render_issue
from publishing.models import Bulletin, BulletinSeries, TypicalCase
from publishing.published import published_cases
from publishing.typical import choose_typical_case

ISSUER = "高平市接诉即办指挥中心"

SERIES = [
    {"name": "《宁呼我应》", "issuer": "宁国市12345政务服务便民热线", "schedule": BulletinSeries.Schedule.WEEKLY,
     "numbering": BulletinSeries.Numbering.PER_YEAR, "first_number": 168, "publish_automatically": True,
     "sections": [("figures", {"heading": ""}), ("charts", {"heading": "", "charts": ["volume", "rates"]}),
                  ("red_black", {"heading": "", "size": 3}), ("hot_items", {"heading": "", "limit": 10}),
                  ("typical_cases", {"heading": "本周典型案例"})]},
    {"name": "月度通报", "issuer": ISSUER, "schedule": BulletinSeries.Schedule.MONTHLY,
     "numbering": BulletinSeries.Numbering.PER_YEAR, "first_number": 1, "publish_automatically": False,
     "sections": [("text", {"heading": "按语", "text": "<p>现将本月全市接诉即办工作情况通报如下，请各单位对照排名和问题清单，"
                                                       "逐项整改、限期销号。</p>"}),
                  ("figures", {"heading": ""}),
                  ("charts", {"heading": "", "charts": ["volume", "rates", "items", "regions"]}),
                  ("rankings", {"heading": ""}), ("red_black", {"heading": "", "size": 3}),
                  ("hot_items", {"heading": "", "limit": 10}), ("typical_cases", {"heading": ""}),
                  ("overdue", {"heading": "", "limit": 50}), ("unsatisfied", {"heading": "", "limit": 50}),
                  ("supervision_notes", {"heading": "", "limit": 30})]},
    {"name": "《督查快报》", "issuer": ISSUER, "schedule": BulletinSeries.Schedule.ON_DEMAND,
     "numbering": BulletinSeries.Numbering.RUNNING, "first_number": 12, "publish_automatically": False,
     "layout": BulletinSeries.Layout.BRIEF,
     "sections": [("figures", {"heading": ""}), ("overdue", {"heading": "超期未办结工单", "limit": 30}),
                  ("supervision_notes", {"heading": "", "limit": 30})]},
]

TYPICAL = [
    ("群众诉求当日响应、限时办结", "承办单位接单后当日联系群众，现场核实后限时处置，回访满意。"),
    ("部门协同解决历史遗留问题", "多部门联合会商，明确责任分工，推动长期困扰群众的问题得到解决。"),
]


def _latest_period(series):
    """The latest whole period the demo's cases cover; for a series on demand, the current month."""
    now = timezone.now()
    if series.schedule == BulletinSeries.Schedule.ON_DEMAND:
        return f"{timezone.localtime(now):%Y-%m}"
    return due_period(series, now)


def _public_cases(stats):
    """Mark the closed cases that were visited satisfied (and are not
    confidential) as publishable, as the centre's supervisor would: they
    fill the board's recent cases and give the typical cases to choose from."""
    if published_cases().exists():
        return
    admin = get_user_model().objects.filter(username="admin").first()
    closed = Case.objects.filter(state__in=PUBLISHABLE_STATES, is_confidential=False,
                                 return_visits__satisfaction=Satisfaction.SATISFIED).distinct()
    for case in closed:
        set_case_public(case, True, acting_user=admin)
        stats["Case (public)"] += 1


def _typical_cases(stats):
    if TypicalCase.objects.exists():
        return
    for case, (headline, commentary) in zip(published_cases()[:len(TYPICAL)], TYPICAL):
        choose_typical_case(case.number, headline=headline, commentary=commentary)
        stats["TypicalCase"] += 1


def load(stats):
    """Create the series, two typical cases and one published issue of each series."""
    if Case.objects.exists():
        refresh_rollups()
    _public_cases(stats)
    _typical_cases(stats)
    for spec in SERIES:
        spec = dict(spec)
        name = spec.pop("name")
        series, created = BulletinSeries.objects.get_or_create(name=name, defaults=spec)
        stats["BulletinSeries"] += created
        if Bulletin.objects.filter(series=series).exists():
            continue
        bulletin = render_issue(create_issue(series, period=_latest_period(series)))
        publish_issue(bulletin)
        stats["Bulletin"] += 1
