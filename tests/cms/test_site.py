"""The public site and the admin answer, in Chinese."""

import pytest
from django.contrib.auth import get_user_model
from wagtail.models import Page, Site

from cms.models import HomePage


@pytest.fixture
def home(db):
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="高平市接诉即办", slug="gaoping-home", hotline="12345"))
    Site.objects.update(root_page=home)
    return home


def test_home_page_answers_at_root(client, home):
    response = client.get("/")
    assert response.status_code == 200
    assert "高平市接诉即办" in response.content.decode()


def test_admin_login_is_in_chinese(client, db):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_pages_stay_chinese_for_a_browser_asking_for_english(client, home):
    # given a browser whose preferred language is English
    login = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    # then the admin and the site still answer in Chinese
    assert "登录" in login.content.decode()
    assert 'lang="zh-hans"' in page.content.decode()


def test_admin_dashboard_opens_for_a_superuser(client, db):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-for-tests")
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 200
