"""The PDF bulletins and notes, checked with poppler's tools as a reader's
PDF viewer would see them: every font embedded (a CJK one among them),
Chinese text extractable, the expected number of pages for a known data
set with the table header repeated on each page, and no personal data or
confidential case in the text.

The PDFs are rendered once for the module (``pdfs``): the first test that
asks builds September 2025 through the services and renders three PDFs;
the others read the same bytes (rendering costs about a second each)."""

import datetime
import re
import subprocess
from types import SimpleNamespace

import pytest
from django.utils import translation
from django.utils.translation import gettext

from casemodels.models import Case
from casemodels.services import close_case, record_return_visit, reply_case, sign_case
from casemodels.services.rollups import refresh_rollups
from casemodels.services.supervision import issue_note
from publishing.bulletins import create_issue, render_issue
from publishing.models import BulletinSeries, TypicalCase
from publishing.notes import note_pdf
from publishing.typical import choose_typical_case
from snippets.models import AssessmentScheme, Unit
from tests.casemodels.conftest import local
from tests.factories import DirectoryItemFactory

# The citizen of the cases below: every one of these must stay out of the PDFs.
NAME, PHONE, ID_NUMBER = "王小明", "13812345678", "110101199003074514"
ADDRESS = "米山镇幸福小区3号楼2单元501室"
PERSON = {
    "citizen_name": NAME, "citizen_phone": PHONE, "citizen_id_number": ID_NUMBER, "address": ADDRESS,
    "title": f"{NAME}反映{ADDRESS}楼道灯不亮，身份证{ID_NUMBER}，电话{PHONE}",
}
REPLY = f"已联系{NAME}（{PHONE}），维修了{ADDRESS}门口的灯。"

# Every section a series can hold, in the order of the monthly report.
EVERY_SECTION = [
    ("text", {"heading": "按语", "text": "<p>现将九月全市接诉即办情况通报如下。</p>"}),
    ("figures", {"heading": ""}),
    ("charts", {"heading": "", "charts": ["volume", "rates", "items", "regions"]}),
    ("rankings", {"heading": ""}),
    ("red_black", {"heading": "", "size": 3}),
    ("hot_items", {"heading": "", "limit": 10}),
    ("typical_cases", {"heading": ""}),
    ("overdue", {"heading": "", "limit": 30}),
    ("unsatisfied", {"heading": "", "limit": 30}),
    ("supervision_notes", {"heading": "", "limit": 30}),
]
HELD = 40  # August's overdue cases, the data set of the page count


def poppler(tool, pdf, *args):
    """Run a poppler tool on PDF bytes (from stdin: ``-``) and return its output."""
    result = subprocess.run([tool, *args, "-", "-"] if tool == "pdftotext" else [tool, *args, "-"],
                            input=pdf, capture_output=True, check=True, timeout=60)
    return result.stdout.decode("utf-8")


def pdfinfo_pages(pdf):
    return int(re.search(r"^Pages:\s+(\d+)$", poppler("pdfinfo", pdf), re.MULTILINE).group(1))


def compact(text):
    """The text without any white space: pdftotext breaks lines inside table cells."""
    return re.sub(r"\s+", "", text)


def build(world, flow, clock):
    """August and September 2025 through the services (now: 30 September, 10:00).

    - August: ``HELD`` cases dispatched to 水务局 on 1 August and never
      signed for: overdue since 8 August, one line each on the overdue list;
    - September: six cases closed on time (住建局 2, 水务局 2, 米山镇 2);
      ``exposed`` (住建局): the citizen's name, phone, ID number and
      house-number address in its title and reply, replied a week late,
      unsatisfied, closed, public and chosen as typical; ``secret``: the same,
      confidential (marked public too, and made typical behind the service's
      back); a supervision note to 住建局 about both, its reason quoting the
      citizen.

    Renders the monthly report of September (every section), the overdue
    list of August (the page count) and the supervision note."""
    w = world
    AssessmentScheme.objects.create(name="部门考评", unit_kind="department", min_sample=1)
    AssessmentScheme.objects.create(name="乡镇考评", unit_kind="township", min_sample=1)
    item = DirectoryItemFactory(name="路灯维修", code="LD")

    clock.move_to(local(2025, 8, 1, 9))
    held = [flow.dispatched(unit=w.dept2, title=f"井盖缺失第{i}号") for i in range(10, 10 + HELD)]

    clock.move_to(local(2025, 9, 1, 9))
    plan = [(w.dept, w.dept_handler)] * 2 + [(w.dept2, w.dept2_handler)] * 2 + [(w.town_a, w.town_handler)] * 2
    closed = [flow.dispatched(unit=unit, directory_item=item, region=w.village_a_r) for unit, _h in plan]
    exposed = flow.dispatched(unit=w.dept, directory_item=item, **PERSON)
    secret = flow.dispatched(unit=w.dept, directory_item=item, is_confidential=True, **PERSON)
    clock.shift(datetime.timedelta(hours=1))
    for case, (_unit, handler) in zip(closed, plan):
        sign_case(case, acting_user=handler)
        reply_case(case, acting_user=handler, reply="已处理。")
        record_return_visit(case, acting_user=w.visitor, satisfaction="satisfied", resolved=True)
    for case in (exposed, secret):
        sign_case(case, acting_user=w.dept_handler)
    clock.move_to(local(2025, 9, 12, 10))
    note = issue_note("supervision", w.dept, [exposed, secret], acting_user=w.supervisor,
                      reason=f"{NAME}反映的问题请三日内办结，联系电话{PHONE}。", answer_due=datetime.date(2025, 9, 19))
    clock.move_to(local(2025, 9, 15, 10))
    for case in (exposed, secret):
        reply_case(case, acting_user=w.dept_handler, reply=REPLY)
        record_return_visit(case, acting_user=w.visitor, satisfaction="unsatisfied", resolved=False,
                            redispatch=False)
        close_case(case, acting_user=w.dispatcher, note="已向市民解释。")
    Case.objects.filter(pk__in=[exposed.pk, secret.pk, closed[0].pk]).update(is_public=True)
    choose_typical_case(exposed.number, headline="楼道灯一周修复")
    TypicalCase.objects.create(case=secret, headline="保密工单不应出现")  # not through the service: it would refuse

    clock.move_to(local(2025, 9, 30, 10))
    refresh_rollups()  # the board reads the roll-up
    monthly = BulletinSeries.objects.create(name="月度通报", issuer="高平市接诉即办指挥中心", sections=EVERY_SECTION)
    overdue = BulletinSeries.objects.create(
        name="《超期-督办》", schedule=BulletinSeries.Schedule.ON_DEMAND,
        sections=[("overdue", {"heading": "", "limit": 200})],
    )
    with translation.override("zh-hans"):
        issue = render_issue(create_issue(monthly, period="2025-09"))
        august = render_issue(create_issue(overdue, period="2025-08"))
        return SimpleNamespace(
            monthly=issue.document.file.open("rb").read(), monthly_pages=issue.page_count,
            overdue=august.document.file.open("rb").read(), overdue_pages=august.page_count,
            overdue_label=str(august.label), note=note_pdf(note), note_number=note.number,
            exposed=exposed.number, secret=secret.number, held=[case.number for case in held],
        )


@pytest.fixture(scope="module")
def _rendered():
    return {}


@pytest.fixture
def pdfs(_rendered, request, db):
    """The PDFs of ``build`` and what they were made from, built by the first test that asks."""
    if not _rendered:
        fixture = request.getfixturevalue
        _rendered["pdfs"] = build(fixture("world"), fixture("flow"), fixture("clock"))
    return _rendered["pdfs"]


@pytest.fixture
def monthly_text(pdfs):
    return poppler("pdftotext", pdfs.monthly)


# --- fonts and text -----------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["monthly", "overdue", "note"])
def test_every_font_is_embedded_and_one_is_cjk(pdfs, which):
    # when pdffonts lists the fonts of the PDF
    lines = poppler("pdffonts", getattr(pdfs, which)).splitlines()
    header, rows = lines[0], lines[2:]
    assert rows, "no fonts listed"
    emb = header.index(" emb") + 1  # the column "emb" (yes / no)
    # then every font is embedded (no viewer substitutes a font of its own, and no glyph goes missing)
    assert [row[emb:emb + 3] for row in rows] == ["yes"] * len(rows), "\n".join(lines)
    # and the Chinese text is set in a CJK font
    assert any("CJK" in row.split()[0] for row in rows), "\n".join(lines)


def test_the_chinese_text_can_be_extracted(pdfs, monthly_text):
    text = compact(monthly_text)
    # the series, the issuer, the units and the typical case's headline, as written
    for words in ("月度通报", "高平市接诉即办指挥中心", "住建局", "水务局", "米山镇政府", "楼道灯一周修复", "路灯维修",
                  "按语"):
        assert words in text, words
    # and the section labels in the site's language (zh-hans), e.g. "Response rate" as the catalog has it
    with translation.override("zh-hans"):
        response_rate = gettext("Response rate")
    assert compact(response_rate) in text


def test_响应率_appears(pdfs, monthly_text):
    """响应率 itself, as the catalog translates "Response rate"."""
    with translation.override("zh-hans"):
        translated = gettext("Response rate")
    assert translated == "响应率"
    assert "响应率" in compact(monthly_text)


# --- personal data and confidential cases -------------------------------------------------------

def test_no_personal_data_is_printed_unmasked(pdfs, monthly_text):
    text = compact(monthly_text)
    # the case is in the bulletin: typical case, overdue and unsatisfied lists
    assert text.count(pdfs.exposed) == 3
    # but its citizen's name, phone, ID number and address never appear as written
    for private in (NAME, PHONE, ID_NUMBER, ADDRESS):
        assert private not in text, private
    # only their masked forms
    assert "王**" in text and "138****5678" in text and "1101**********4514" in text
    assert "米山镇幸福小区**号楼**单元**室" in text


def test_a_confidential_case_never_appears(pdfs, monthly_text):
    text = compact(monthly_text)
    # not in the typical cases (though made typical and marked public), nor the overdue or unsatisfied lists
    assert pdfs.secret not in text
    assert "保密工单不应出现" not in text
    # while its twin, the same but not confidential, is listed
    assert pdfs.exposed in text


def test_the_note_pdf_names_the_note_and_the_unit_and_masks_the_citizen(pdfs):
    text = compact(poppler("pdftotext", pdfs.note))
    # the note's number and the unit it is addressed to, and its cases (the unit's own work: both listed)
    assert pdfs.note_number in text and "住建局" in text
    assert pdfs.exposed in text and pdfs.secret in text
    # the reason and the titles quote the citizen: masked
    for private in (NAME, PHONE, ID_NUMBER, ADDRESS):
        assert private not in text, private
    assert "138****5678" in text and "王**" in text


# --- layout ---------------------------------------------------------------------------------------

def test_the_overdue_list_of_a_known_data_set_has_the_expected_pages(pdfs):
    # given August's overdue list: HELD (40) rows of the same shape, one section, the standard layout
    pages = pdfinfo_pages(pdfs.overdue)
    # then it is 2 pages: 25 rows and 15, as measured (pdftotext) and as follows from the layout.
    # A4 is 841.9 pt tall; the 22 mm and 20 mm margins leave 62.4 to 785.2 pt. The table has fixed
    # column widths (its colgroup) in which every cell of these rows holds one line, so a row is
    # 21.06 pt: one 9.5 pt line at Noto Sans CJK's line height (13.76 pt), 1.2 mm of padding above
    # and below (6.8 pt) and a 0.5 pt border. On page 1 the masthead, the period line, the heading
    # and the header row end at about 242 pt, leaving room for 25 rows (542.7 / 21.06 = 25.8); page 2
    # repeats the header row and holds the 15 left.
    # (With narrower number and deadline columns, each taking two lines, the same data made 3 pages:
    # 15, 20 and 5 rows of 34.81 pt.)
    assert pages == 2
    assert pdfs.overdue_pages == pages  # what the bulletin records is what pdfinfo counts
    # and every case is listed once, no row split across pages, the header repeated on each page
    text = compact(poppler("pdftotext", pdfs.overdue))
    assert all(text.count(number) == 1 for number in pdfs.held)
    with translation.override("zh-hans"):
        number_header = gettext("Case number")
    rows = []
    for page in range(1, pages + 1):
        page_text = compact(poppler("pdftotext", pdfs.overdue, "-f", str(page), "-l", str(page)))
        assert number_header in page_text, page
        rows.append(sum(number in page_text for number in pdfs.held))
    assert rows == [25, 15]


def test_the_running_header_prints_the_label_as_written(pdfs):
    # given a series named with a hyphen (《超期-督办》), which a JavaScript escape would mangle in CSS
    page_two = compact(poppler("pdftotext", pdfs.overdue, "-f", "2", "-l", "2"))
    # then page 2's running header is the issue's label, as written
    assert compact(pdfs.overdue_label) in page_two
    assert "u002D" not in page_two


def test_red_and_black_lists_leave_out_groups_with_no_one_on_them(pdfs, monthly_text):
    text = compact(monthly_text)
    with translation.override("zh-hans"):
        red = compact(gettext("Red list: %(kind)s") % {"kind": Unit.Kind.DEPARTMENT.label})
        township_red = compact(gettext("Red list: %(kind)s") % {"kind": Unit.Kind.TOWNSHIP.label})
    # departments: two ranked units, one on each list; townships: one ranked unit, on neither
    assert red in text
    assert township_red not in text

