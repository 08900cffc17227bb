"""The public site in a real browser: the home page, the result board and
its period selector, the LED mode rotating its panels, a request submitted
through the form and tracked with the number and query code shown."""

import re

import pytest

from cms.models import ResultBoardPage

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def settled(page):
    """Wait for the panel's fade-in to end (a screenshot halfway shows it dim)."""
    page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")


def test_the_home_page_opens_with_the_hotline_and_the_pages(public_site, walker):
    page = walker.go(public_site.home.url)
    assert page.locator("h1").first.inner_text() == "高平市接诉即办"
    assert "0356-12345" in page.content()
    # the navigation leads to the board, the submit and the track pages
    for linked in (public_site.board, public_site.submit, public_site.track):
        assert page.locator(f'a[href="{linked.url}"]').count() >= 1
    assert walker.shot("home").exists()


def test_the_board_shows_the_figures_and_switches_period_with_the_selector(public_site, walker):
    page = walker.go(public_site.board.url)
    assert page.locator("h1").first.inner_text() == "红黑榜"
    assert "住建局" in page.content()  # ranked this month
    walker.shot("board-this-month")
    # when another period is chosen in the selector and shown
    options = page.locator("select#period option")
    current = page.locator("select#period").input_value()
    chosen = next(value for value in options.evaluate_all("els => els.map(e => e.value)") if value != current)
    page.select_option("select#period", chosen)
    page.click(".period-form button[type=submit]")
    page.wait_for_url(re.compile(r"period=" + re.escape(chosen)))
    # then the board is that period's, the selector showing it
    assert page.locator("select#period").input_value() == chosen
    assert walker.shot("board-other-period").exists()


def test_the_led_mode_rotates_its_panels(public_site, walker):
    ResultBoardPage.objects.filter(pk=public_site.board.pk).update(led_rotate_seconds=3)
    page = walker.go(public_site.board.url + "led/")
    current = page.locator(".led-panel.is-current")
    assert current.count() == 1 and page.locator(".led-panel").count() >= 2
    first = current.get_attribute("data-panel")
    settled(page)
    walker.shot("led-first-panel")
    # the next panel shows by itself after the rotation time (3 seconds)
    page.wait_for_function(
        "first => document.querySelector('.led-panel.is-current').dataset.panel !== first", arg=first, timeout=8000,
    )
    assert page.locator(".led-panel.is-current").count() == 1
    settled(page)
    assert walker.shot("led-next-panel").exists()


def test_a_request_is_submitted_and_tracked_with_its_number_and_query_code(public_site, walker):
    from casemodels.models import Case

    page = walker.go(public_site.submit.url)
    page.fill("textarea[name=content]", "小区门口路灯坏了一个星期，晚上很黑，请尽快修理。")
    page.fill("input[name=citizen_name]", "王小明")
    page.fill("input[name=citizen_phone]", "13812345678")
    page.fill("input[name=address]", "米山镇米西村幸福小区3号楼501室")
    walker.shot("submit-form")
    page.click("form.form button[type=submit]")
    # the number and the query code are shown once
    number = page.locator("[data-case-number]").inner_text().strip()
    code = page.locator("[data-query-code]").inner_text().strip()
    case = Case.objects.get(number=number)
    assert (case.query_code, case.channel.code) == (code, "web")
    walker.shot("submit-receipt")
    # when the citizen follows the link to track it, the number filled in, and gives the code
    page.click(f'a[href*="number={number}"]')
    assert page.locator("input[name=number]").input_value() == number
    page.fill("input[name=query_code]", code)
    page.click("form.form button[type=submit]")
    # then the case's state is shown, name, phone and address masked
    state = page.locator("[data-case-state]").inner_text().strip()
    assert state
    html = page.content()
    assert "幸福小区" in html and "501室" not in html
    assert "王小明" not in html and "13812345678" not in html
    assert walker.shot("track-state").exists()
