"""A case walked through the admin in a real browser, as the people who do
the work: the dispatcher registers it (and sees the suggestions), dispatches
it; the handling unit signs it and replies from a reply template; the return
visitor records a satisfied visit. Screenshots of every step are kept."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from casemodels.models import Case, CaseEvent, CaseState
from snippets.models import DirectoryItem, ReplyTemplate
from tests.factories import DirectoryItemFactory

pytestmark = pytest.mark.django_db(transaction=True)

CONTENT = "我家小区冬季供暖温度不达标，室内只有15度，请尽快处理。"


@pytest.fixture
def heating(world):
    """A directory item for heating that routes to the housing bureau, and a
    reply template for it."""
    category = DirectoryItemFactory(name="城乡建设", code="cx", routing=DirectoryItem.Routing.NONE)
    item = DirectoryItemFactory(
        name="供暖不热", code="cx-gn", parent=category, routing=DirectoryItem.Routing.SECTOR,
        sector_unit=world.dept, keywords="供暖,暖气,温度不达标",
    )
    template = ReplyTemplate.objects.create(
        title="供暖温度不达标的答复", keywords="供暖,温度",
        body="您反映的{{ title }}（工单{{ case_number }}）已由{{ unit }}上门测温并督促热力公司整改。",
    )
    template.directory_items.add(item)
    return item, template


def submit(page):
    page.locator("form button[type=submit]:visible").last.click()


def open_action(walker, case, action):
    walker.go(reverse("cases:inspect", args=[case.pk]))
    walker.page.click(f"[data-action={action}]")
    walker.page.wait_for_url(re.compile(rf"/{action}/{case.pk}/"))


def test_dispatcher_and_handler_walk_a_case_through_the_admin(world, heating, walker):
    item, template = heating
    page = walker.page

    # given a dispatcher at the intake desk
    walker.sign_in(world.dispatcher.username)
    walker.go(reverse("cases:intake"))
    page.select_option("[name=channel]", str(world.hotline.pk))
    page.select_option("[name=case_type]", "complaint")
    page.fill("[name=citizen_name]", "王小明")
    page.fill("[name=citizen_phone]", "13812345678")
    # when the content is typed, the directory item and the reply template are suggested
    page.fill("[name=content]", CONTENT)
    page.wait_for_selector(f"[data-ms-list=suggestions] [data-item='{item.pk}']")
    page.wait_for_selector(f"[data-ms-list=templates] [data-template='{template.pk}']")
    walker.shot("intake-suggestions")
    page.click(f"[data-use-item='{item.pk}']")
    assert page.input_value("[name=directory_item]") == str(item.pk)
    submit(page)

    # then the case is registered and its page opens
    page.wait_for_url(re.compile(r"/admin/cases/inspect/\d+/"))
    case = Case.objects.get()
    assert case.state == CaseState.RECEIVED and case.directory_item == item
    assert case.number in page.content()
    walker.shot("registered")

    # when the dispatcher dispatches it to the unit the directory names
    open_action(walker, case, "dispatch")
    page.select_option("[name=unit]", str(world.dept.pk))
    walker.shot("dispatch-form")
    submit(page)
    page.wait_for_url(re.compile(rf"/admin/cases/inspect/{case.pk}/"))
    case.refresh_from_db()
    assert case.state == CaseState.DISPATCHED

    # and the handler of that unit signs for it
    walker.sign_in(world.dept_handler.username)
    open_action(walker, case, "sign")
    submit(page)
    page.wait_for_url(re.compile(rf"/admin/cases/inspect/{case.pk}/"))
    case.refresh_from_db()
    assert case.state == CaseState.HANDLING
    walker.shot("signed")

    # and replies, starting from the reply template
    open_action(walker, case, "reply")
    page.click(f"[data-template='{template.pk}']")
    page.wait_for_url(re.compile(rf"template={template.pk}"))
    page.wait_for_function("(document.querySelector('[name=reply]') || {value: ''}).value.includes('上门测温')")
    reply_text = page.input_value("[name=reply]")
    assert case.number in reply_text and world.dept.name in reply_text and "{{" not in reply_text
    walker.shot("reply-from-template")
    submit(page)
    page.wait_for_url(re.compile(rf"/admin/cases/inspect/{case.pk}/"))
    case.refresh_from_db()
    template.refresh_from_db()
    assert case.state == CaseState.REPLIED and "上门测温" in case.reply
    assert template.usage_count == 1

    # then the return visitor records a satisfied, resolved visit and the case closes
    walker.sign_in(world.visitor.username)
    open_action(walker, case, "return_visit")
    page.check("[name=satisfaction][value=satisfied]")
    page.check("[name=resolved][value=yes]")
    walker.shot("return-visit")
    submit(page)
    page.wait_for_url(re.compile(rf"/admin/cases/inspect/{case.pk}/"))
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    # and the dossier on the case page shows every step
    walker.shot("closed-dossier")
    body = page.inner_text("main")
    steps = ["register", "dispatch", "sign", "reply", "return_visit"]
    assert set(steps) <= set(case.events.values_list("action", flat=True))
    with translation.override("zh-hans"):
        for step in steps:
            assert str(CaseEvent.Action(step).label) in body, step
