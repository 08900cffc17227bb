"""The configuration checks speak Chinese in the admin (the other tests of
these checks read the English source words)."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.html import escape

from snippets.models import DirectoryItem
from tests.snippets.test_config_checks import add_url, item_form

pytestmark = pytest.mark.django_db


def test_the_refusal_reaches_the_administrator_in_chinese(client, settings):
    # given the admin in its own language (zh-hans), not the English of the tests above
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "pw"))
    # when an item that routes nowhere is saved
    response = client.post(add_url(DirectoryItem), item_form())
    # then the reason is given in Chinese, naming the item
    with translation.override("zh-hans"):
        message = translation.gettext(
            "“%(item)s” routes nowhere: it has no routing and no active item below it. Choose sector or "
            "territorial routing, or save it as inactive until items are added below it."
        ) % {"item": "路灯不亮"}
    assert "routes nowhere" not in message
    assert escape(message) in response.content.decode()
