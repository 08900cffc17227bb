"""The sandboxed reply-template renderer: only the listed placeholders
exist, nothing reaches an object, a setting or a template tag, and values
are inserted literally."""

import pytest
from django.urls import reverse

from snippets.models import ReplyTemplate
from snippets.services.templates import PLACEHOLDERS, TemplateSyntaxProblem, check_template, render_template


@pytest.mark.parametrize("body, named", [
    ("您的电话{{ case.citizen_phone }}", "{{ case.citizen_phone }}"),
    ("{{ settings.SECRET_KEY }}", "{{ settings.SECRET_KEY }}"),
    ("{{ citizen_name|upper }}", "{{ citizen_name|upper }}"),
    ("{{ case_number.__class__ }}", "{{ case_number.__class__ }}"),
    ("{{ request.user.password }}", "{{ request.user.password }}"),
    ("{% load static %}您好", "{% load static %}"),
    ("{% for x in cases %}{{ x }}{% endfor %}", "{% for x in cases %}"),
    ("{# 注释 #}您好", "{# 注释 #}"),
    ("您好{% debug", "{% debug"),
])
def test_anything_but_a_listed_placeholder_is_refused_and_named(body, named):
    with pytest.raises(TemplateSyntaxProblem) as refused:
        check_template(body)
    assert named in str(refused.value)


def test_unclosed_braces_are_refused():
    with pytest.raises(TemplateSyntaxProblem):
        check_template("您好 {{ case_number ")


def test_listed_placeholders_pass_and_are_reported():
    body = "".join("{{ %s }}" % name for name in PLACEHOLDERS)
    assert check_template(body) == list(PLACEHOLDERS)


def test_values_are_inserted_literally_never_re_read():
    body = "编号：{{ case_number }}；标题：{{ title }}"
    text = render_template(body, {
        "case_number": "{{ title }}", "title": "{% load static %}<b>{{ settings.SECRET_KEY }}</b>",
    })
    assert text == "编号：{{ title }}；标题：{% load static %}<b>{{ settings.SECRET_KEY }}</b>"


def test_missing_values_become_empty_and_unknown_values_are_ignored():
    assert render_template("[{{ unit }}]", {"secret": "x"}) == "[]"


def test_render_refuses_a_bad_body_too():
    with pytest.raises(TemplateSyntaxProblem):
        render_template("{{ case.citizen_phone }}", {})


@pytest.mark.django_db
def test_the_admin_form_refuses_a_body_that_reaches_an_attribute(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(user)
    url = reverse(ReplyTemplate.snippet_viewset.get_url_name("add"))
    response = client.post(url, {"title": "供暖答复", "body": "电话：{{ case.citizen_phone }}", "is_active": "on"})
    assert response.status_code == 200
    assert "{{ case.citizen_phone }}" in response.content.decode()
    assert not ReplyTemplate.objects.exists()
    ok = client.post(url, {"title": "供暖答复", "body": "{{ citizen_name }}您好。", "is_active": "on"})
    assert ok.status_code == 302
    assert ReplyTemplate.objects.get().title == "供暖答复"
