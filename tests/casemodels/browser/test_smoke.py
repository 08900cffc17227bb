"""The admin opens in Chinese in a real browser, for a dispatcher."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_dispatcher_signs_in_and_sees_the_chinese_admin(world, walker):
    # given a dispatcher of the centre
    user = world.dispatcher
    # when they sign in through the login form
    walker.sign_in(user.username)
    # then the admin home is in Chinese and a screenshot is kept
    assert walker.page.locator("html").get_attribute("lang") == "zh-hans"
    assert "仪表板" in walker.page.content() or "控制面板" in walker.page.content()
    assert walker.shot("dashboard").exists()
