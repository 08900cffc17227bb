"""The dispatch model's versions in the admin (``casemodels.admin.learning``):
the list with each version's held-back figures beside the rules', "Make
active" (POST only), "Train now" queuing the training with django-q2 (the
test cluster runs it at once: sync), and who may look and who may act."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.html import strip_tags
from django_q.models import OrmQ, Task
from django_q.tasks import async_task

from casemodels.admin.learning import TRAIN_GROUP, TRAIN_NAME, TRAIN_TASK
from casemodels.models import DispatchModel
from casemodels.services.learning import forget_loaded_model
from snippets.models import DirectoryItem
from tests.factories import DirectoryItemFactory, StaffFactory

from .conftest import local
from .test_case_page import login, message_texts
from .test_inbox_admin import menu_text
from .test_learning import history

pytestmark = pytest.mark.usefixtures("english_admin")

INDEX = "dispatch_model:index"


@pytest.fixture(autouse=True)
def _no_loaded_model():
    forget_loaded_model()
    yield
    forget_loaded_model()


def version(number, *, active=False, model_top1=0.9, rules_top1=0.5):
    """A stored version with made-up figures and a tiny blob (nothing trained)."""
    return DispatchModel.objects.create(
        version=number, trained_at=local(2025, 9, number, 3), training_cases=100 * number, classes=3 + number,
        algorithm="test", size_bytes=2048 * number, is_active=active, blob=b"not a model",
        metrics={"held_back": 20 * number, "items": 3 + number, "fit_seconds": 1.5,
                 "model": {"top1": model_top1, "top3": 0.95, "macro_f1": 0.875},
                 "rules": {"top1": rules_top1, "top3": 0.6, "macro_f1": 0.4}},
    )


@pytest.fixture
def administrator(world):
    return StaffFactory(unit=world.centre, roles=["administrator"]).user


@pytest.fixture
def versions(world):
    """Version 1 in use; version 2 newer and better than the rules; version 3 worse than the rules."""
    return version(1, active=True), version(2, model_top1=0.8), version(3, model_top1=0.4, rules_top1=0.45)


def get(client, user, name=INDEX, *args):
    login(client, user)
    response = client.get(reverse(name, args=args))
    return response, response.content.decode()


def rows(html):
    """The list's rows as lists of cell texts."""
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    return [[" ".join(strip_tags(cell).split()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def active_versions():
    return list(DispatchModel.objects.filter(is_active=True).values_list("version", flat=True))


def said(response):
    """The messages the response left, without the admin's trailing whitespace."""
    return [text.strip() for text in message_texts(response)]


def refused(response):
    """Wagtail turns a PermissionDenied into a redirect to the admin's home."""
    return response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


# --- The list ---------------------------------------------------------------------------
def test_the_list_shows_every_version_newest_first_with_its_figures(client, world, administrator):
    # given two stored versions, the first in use
    version(1, active=True)
    version(2, model_top1=0.8125, rules_top1=0.5)
    # when an administrator of the centre opens the list
    response, html = get(client, administrator)
    # then the versions are listed newest first, with the held-back figures of the model beside the rules'
    assert response.status_code == 200
    [second, first] = rows(html)
    assert second[:11] == ["v2", second[1], "200", "5", "40", "0.812", "0.950", "0.875", "0.500", "4.0", "No"]
    assert first[:11] == ["v1", first[1], "100", "4", "20", "0.900", "0.950", "0.875", "0.500", "2.0", "Yes"]
    # the version not in use has a "Make active" button (a form posting with the CSRF token), the one in use none
    assert re.findall(r'data-activate="(\d+)"', html) == ["2"]
    assert "csrfmiddlewaretoken" in html
    assert "data-train" in html
    # and no training has ended yet; there is no "Add" button
    assert "data-never-trained" in html
    assert reverse("dispatch_model:add") not in html


def test_the_inspect_view_shows_a_versions_figures_but_not_its_blob(client, world, versions):
    response, html = get(client, world.supervisor, "dispatch_model:inspect", versions[1].pk)
    assert response.status_code == 200
    assert "<dt>Model, top-1</dt><dd>0.800</dd>" in html and "<dt>Keyword rules, top-1</dt><dd>0.500</dd>" in html
    assert "<dt>Held-back cases</dt><dd>40</dd>" in html
    assert "2025-09-02 03:00:00" in html  # trained at, in the centre's time zone
    assert "not a model" not in html


def test_a_centre_supervisor_sees_the_list_and_the_menu_but_no_buttons(client, world, versions):
    response, html = get(client, world.supervisor)
    assert response.status_code == 200 and len(rows(html)) == 3
    assert "data-activate" not in html and "data-train" not in html
    _response, home = get(client, world.supervisor, "wagtailadmin_home")
    assert "Dispatch model" in menu_text(home)


@pytest.mark.parametrize("who", ["dept_handler", "town_b_dispatcher", "dispatcher"])
def test_others_are_refused_the_list_and_see_no_menu_item(client, world, versions, who):
    response, _html = get(client, getattr(world, who))
    assert refused(response)
    _response, home = get(client, getattr(world, who), "wagtailadmin_home")
    assert "Dispatch model" not in menu_text(home)


def test_the_add_and_edit_views_are_refused_even_to_a_superuser(client, world, versions):
    superuser = get_user_model().objects.create_superuser("root", password="x")
    login(client, superuser)
    assert refused(client.get(reverse("dispatch_model:add")))
    assert refused(client.post(reverse("dispatch_model:edit", args=[versions[1].pk]), {}))
    assert refused(client.post(reverse("dispatch_model:delete", args=[versions[1].pk])))
    assert DispatchModel.objects.count() == 3


# --- Make active ------------------------------------------------------------------------
def test_make_active_switches_the_version_in_use(client, world, administrator, versions):
    login(client, administrator)
    response = client.post(reverse("dispatch_model:activate", args=[versions[1].pk]))
    assert response.status_code == 302 and response["Location"] == reverse(INDEX)
    assert active_versions() == [2]
    # a version that beat the rules: a success message naming it, no warning
    assert said(response) == ["Version 2 is now the dispatch model in use."]


def test_making_active_a_version_that_did_not_beat_the_rules_warns(client, world, administrator, versions):
    login(client, administrator)
    response = client.post(reverse("dispatch_model:activate", args=[versions[2].pk]))
    assert active_versions() == [3]
    [success, warning] = said(response)
    assert success == "Version 3 is now the dispatch model in use."
    assert "Version 3 did not beat the keyword rules" in warning and "0.400" in warning and "0.450" in warning


def test_a_get_on_the_activate_url_changes_nothing(client, world, administrator, versions):
    login(client, administrator)
    response = client.get(reverse("dispatch_model:activate", args=[versions[1].pk]))
    assert response.status_code == 405
    assert active_versions() == [1]


@pytest.mark.parametrize("who", ["dept_handler", "town_b_dispatcher", "supervisor", "town_administrator"])
def test_others_may_not_activate(client, world, versions, who):
    user = (StaffFactory(unit=world.town_a, roles=["administrator"]).user if who == "town_administrator"
            else getattr(world, who))
    login(client, user)
    response = client.post(reverse("dispatch_model:activate", args=[versions[1].pk]))
    assert refused(response)
    assert active_versions() == [1]


def test_a_superuser_may_activate(client, world, versions):
    login(client, get_user_model().objects.create_superuser("root", password="x"))
    client.post(reverse("dispatch_model:activate", args=[versions[2].pk]))
    assert active_versions() == [3]


# --- Train now --------------------------------------------------------------------------
def test_train_now_runs_the_training_and_the_list_shows_its_result(client, world, administrator):
    # given too few closed cases to learn from; the test cluster runs tasks at once (sync)
    response, html = get(client, administrator, "dispatch_model:train")
    assert response.status_code == 200 and "data-training-queued" not in html
    # when the administrator confirms "Train now"
    response = client.post(reverse("dispatch_model:train"))
    assert response.status_code == 302 and response["Location"] == reverse(INDEX)
    assert "A training has started in the background" in said(response)[0]
    # then django-q2 ran the training task, under its name and group, and kept its result
    task = Task.objects.get()
    assert (task.func, task.name, task.group, task.success) == (TRAIN_TASK, TRAIN_NAME, TRAIN_GROUP, True)
    assert task.result["version"] is None and task.result["message"].startswith("Too little to learn from")
    assert not DispatchModel.objects.exists()
    # and the list says how it ended
    _response, html = get(client, administrator)
    assert 'data-last-training="success"' in html
    shown = re.search(r"<span data-last-training-message>(.*?)</span>", html, re.S).group(1)
    assert shown.startswith("Too little to learn from")


def test_train_now_stores_a_new_version_that_the_list_shows(client, world, administrator):
    # given closed cases of three items told in their own words (imported as history)
    def item(name):
        return DirectoryItemFactory(name=name, routing=DirectoryItem.Routing.SECTOR, sector_unit=world.dept)

    history(world, administrator, {"lights": item("照明设施维护"), "water": item("城市供水服务"),
                                   "noise": item("施工噪声管理")})
    login(client, administrator)
    client.post(reverse("dispatch_model:train"))
    # then version 1 was trained and, beating the rules (no keywords), is in use
    assert active_versions() == [1]
    _response, html = get(client, administrator)
    [row] = rows(html)
    assert row[0] == "v1" and row[2] == "90" and row[10] == "Yes"
    assert "Version 1 is active" in html


def test_a_queued_training_is_not_queued_twice(client, world, administrator):
    # given a training waiting in the queue (the weekly schedule's, say: queued, not run)
    async_task(TRAIN_TASK, sync=False)
    assert OrmQ.objects.count() == 1
    # then the list and the confirmation say so
    _response, html = get(client, administrator)
    assert "data-training-queued" in html
    _response, html = get(client, administrator, "dispatch_model:train")
    assert "data-training-queued" in html
    # and "Train now" queues nothing more and runs nothing
    response = client.post(reverse("dispatch_model:train"))
    assert response.status_code == 302
    assert said(response) == [
        "A training is already queued or running: its result appears on this page when it ends."
    ]
    assert OrmQ.objects.count() == 1 and not Task.objects.exists()


@pytest.mark.parametrize("who", ["dept_handler", "town_b_dispatcher", "supervisor", "town_administrator"])
def test_others_may_not_train(client, world, who):
    user = (StaffFactory(unit=world.town_a, roles=["administrator"]).user if who == "town_administrator"
            else getattr(world, who))
    login(client, user)
    assert refused(client.get(reverse("dispatch_model:train")))
    assert refused(client.post(reverse("dispatch_model:train")))
    assert not Task.objects.exists() and not OrmQ.objects.exists()
