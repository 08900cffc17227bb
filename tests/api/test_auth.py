"""Signing in for apps: bearer tokens (issue, use, expiry, revocation), the
generic error and throttle of tokenAuth, the 401 for a bad token, ``me``,
and the token screens of the admin."""

import datetime
import hashlib
import json

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.users.models import UserProfile

from api.auth import tokens
from api.auth.tokens import issue_token, revoke_token, token_for_header
from api.models import ApiToken
from casemodels.services import NotAllowed
from casemodels.services.inbox import get_box
from snippets.models import Role
from tests.factories import StaffFactory, UnitFactory, UserFactory

TOKEN_AUTH = """
mutation($username: String!, $password: String!, $name: String) {
  tokenAuth(username: $username, password: $password, name: $name) { token expiresAt errors { field code message } }
}"""
REVOKE = "mutation { revokeToken { ok errors { field code message } } }"
ME = """{ me { username name unit { code name } roles seesPersonalData seesConfidential
               inbox { box label count } } }"""
WHO = "{ me { username } }"


def post(client, query, variables=None, **extra):
    return client.post(
        "/graphql/", data=json.dumps({"query": query, "variables": variables or {}}),
        content_type="application/json", **extra,
    )


def run(client, query, variables=None, **extra):
    response = post(client, query, variables, **extra)
    assert response.status_code == 200, response.content
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def sign_in(client, username, password="pw", name=None, address="10.0.0.1"):
    variables = {"username": username, "password": password, "name": name}
    return run(client, TOKEN_AUTH, variables, REMOTE_ADDR=address)["tokenAuth"]


@pytest.fixture
def staff(db):
    unit = UnitFactory(name="住建局", code="zjj")
    return StaffFactory(name="王芳", unit=unit, roles=["handler"]).user


# --- Issuing and using a token ---------------------------------------------------------------
def test_staff_get_a_token_that_signs_their_requests_in(client, staff):
    # given a staff member's username and password
    # when they sign in for an app
    result = sign_in(client, staff.username, name="掌上12345")

    # then they get a token valid for 30 days, and requests carrying it are theirs
    assert result["errors"] == [] and result["token"]
    token = ApiToken.objects.get(user=staff)
    assert token.name == "掌上12345"
    assert token.expires_at - token.created_at == datetime.timedelta(days=30)
    assert datetime.datetime.fromisoformat(result["expiresAt"]) == token.expires_at
    assert run(client, WHO, **bearer(result["token"])) == {"me": {"username": staff.username}}


def test_only_a_digest_of_the_token_is_stored(client, staff):
    secret = sign_in(client, staff.username)["token"]
    token = ApiToken.objects.get(user=staff)
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:8]
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert secret not in json.dumps(stored, default=str)


def test_the_lifetime_follows_the_setting(settings, staff):
    settings.MINSHENG_API_TOKEN_DAYS = 7
    token, _secret = issue_token(staff, name="大屏")
    assert token.expires_at - token.created_at == datetime.timedelta(days=7)


def test_a_token_name_that_is_too_long_is_named_as_the_problem(client, staff):
    result = post(client, TOKEN_AUTH, {"username": staff.username, "password": "pw", "name": "x" * 101}).json()
    assert result["data"]["tokenAuth"]["token"] is None
    assert [(e["field"], e["code"]) for e in result["data"]["tokenAuth"]["errors"]] == [("name", "invalid")]
    assert not ApiToken.objects.exists()


def test_a_token_is_only_for_staff(db):
    outsider = UserFactory()
    with pytest.raises(NotAllowed):
        issue_token(outsider, name="app")


def test_the_example_operations_sign_in_and_ask_who_is_signed_in(client, staff):
    # given the documented operations, run with a staff member's own credentials
    folder = settings.BASE_DIR / "graphql" / "operations"
    variables = {"username": staff.username, "password": "pw"}
    signed_in = run(client, (folder / "token_auth.graphql").read_text(encoding="utf-8"), variables)["tokenAuth"]
    # then the token they get opens ``me``
    assert signed_in["errors"] == [] and ApiToken.objects.get(user=staff).name == "移动办公"
    me = run(client, (folder / "me.graphql").read_text(encoding="utf-8"), **bearer(signed_in["token"]))["me"]
    assert me["username"] == staff.username and me["name"] == "王芳"


# --- Wrong credentials and the throttle ---------------------------------------------------------
def test_a_wrong_password_and_an_unknown_user_get_the_same_generic_error(client, staff):
    # given a known user with a wrong password, and an unknown username
    wrong_password = sign_in(client, staff.username, password="nope")
    unknown_user = sign_in(client, "nobody-here", password="nope")

    # then both get one and the same error, no token, and no hint which it was
    assert wrong_password == unknown_user
    assert wrong_password["token"] is None and wrong_password["expiresAt"] is None
    [error] = wrong_password["errors"]
    assert error["code"] == "invalid_credentials" and error["field"] is None
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("who", ["not staff", "inactive user", "inactive profile"])
def test_accounts_that_may_not_hold_a_token_get_the_same_generic_error(client, staff, who):
    # given the right password of an account that is not (or no longer) active staff
    if who == "not staff":
        user = UserFactory()
    else:
        user = staff
        if who == "inactive user":
            get_user_model().objects.filter(pk=user.pk).update(is_active=False)
        else:
            type(user.staff_profile).objects.filter(user=user).update(is_active=False)
    reference = sign_in(client, "nobody-here", password="nope", address="10.9.9.9")

    # when it signs in, then the answer is the generic one
    assert sign_in(client, user.username) == reference
    assert not ApiToken.objects.exists()


def test_failures_for_one_username_are_throttled_whatever_the_address(client, staff):
    # given five wrong passwords for one username, each from another address
    for i in range(tokens.MAX_FAILURES_PER_USERNAME):
        assert sign_in(client, staff.username, password="nope", address=f"10.0.1.{i}")["errors"]

    # when the right password comes from yet another address, then it is throttled
    result = sign_in(client, staff.username, address="10.0.2.1")
    assert [e["code"] for e in result["errors"]] == ["throttled"] and result["token"] is None
    # and another user from that address is not affected
    other = StaffFactory(unit=staff.staff_profile.unit).user
    assert sign_in(client, other.username, address="10.0.2.1")["token"]


def test_failures_from_one_address_are_throttled_whatever_the_username(client, staff):
    # given many wrong sign-ins from one address, each for another username
    for i in range(tokens.MAX_FAILURES_PER_CLIENT):
        sign_in(client, f"guess{i}", password="nope", address="10.0.3.3")

    # then even the right credentials from that address are throttled
    assert [e["code"] for e in sign_in(client, staff.username, address="10.0.3.3")["errors"]] == ["throttled"]
    # and the same credentials from another address still work
    assert sign_in(client, staff.username, address="10.0.3.4")["token"]


def test_a_successful_sign_in_clears_the_username_s_failures(client, staff):
    for i in range(tokens.MAX_FAILURES_PER_USERNAME - 1):
        sign_in(client, staff.username, password="nope", address=f"10.0.4.{i}")
    assert sign_in(client, staff.username, address="10.0.5.1")["token"]
    # four more failures after the success do not reach the limit
    for i in range(tokens.MAX_FAILURES_PER_USERNAME - 1):
        sign_in(client, staff.username, password="nope", address=f"10.0.6.{i}")
    assert sign_in(client, staff.username, address="10.0.7.1")["token"]


# --- Bad tokens are refused, never anonymous --------------------------------------------------------
def assert_unauthorized(response):
    assert response.status_code == 401, response.content
    body = response.json()
    assert set(body) == {"errors"} and body["errors"][0]["message"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer not-a-real-token", "Bearer", "bearer  ", "Bearer a b"])
def test_a_bad_bearer_header_is_answered_401(client, db, header):
    assert_unauthorized(post(client, WHO, HTTP_AUTHORIZATION=header))


def test_an_expired_token_is_answered_401(client, staff):
    token, secret = issue_token(staff, name="app")
    assert run(client, WHO, **bearer(secret))["me"]
    with time_machine.travel(token.expires_at + datetime.timedelta(seconds=1), tick=False):
        assert_unauthorized(post(client, WHO, **bearer(secret)))


@pytest.mark.parametrize("change", ["user deactivated", "profile deactivated"])
def test_a_token_stops_working_when_its_user_may_no_longer_hold_one(client, staff, change):
    _token, secret = issue_token(staff, name="app")
    if change == "user deactivated":
        get_user_model().objects.filter(pk=staff.pk).update(is_active=False)
    else:
        type(staff.staff_profile).objects.filter(user=staff).update(is_active=False)
    assert_unauthorized(post(client, WHO, **bearer(secret)))


def test_a_bearer_token_wins_over_a_session(client, staff):
    # given a browser signed in as a superuser, and a staff member's token
    client.force_login(get_user_model().objects.create_superuser("boss", password="pw-for-tests"))
    _token, secret = issue_token(staff, name="app")
    # then the request is the token's user's; a bad token is not let through on the session
    assert run(client, WHO, **bearer(secret))["me"]["username"] == staff.username
    assert_unauthorized(post(client, WHO, **bearer("forged")))


def test_another_authorization_scheme_is_left_alone(client, db):
    assert run(client, WHO, HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz") == {"me": None}


def test_last_use_is_written_at_most_once_a_minute(staff):
    token, secret = issue_token(staff, name="app")
    header = f"Bearer {secret}"
    start = timezone.now()
    token_for_header(header, now=start)
    token.refresh_from_db()
    assert token.last_used_at == start
    token_for_header(header, now=start + datetime.timedelta(seconds=30))
    token.refresh_from_db()
    assert token.last_used_at == start
    later = start + datetime.timedelta(seconds=61)
    token_for_header(header, now=later)
    token.refresh_from_db()
    assert token.last_used_at == later


# --- Revoking ------------------------------------------------------------------------------------
def test_an_app_revokes_its_own_token(client, staff):
    secret = sign_in(client, staff.username)["token"]
    assert run(client, REVOKE, **bearer(secret))["revokeToken"] == {"ok": True, "errors": []}
    token = ApiToken.objects.get(user=staff)
    assert token.revoked_at is not None and token.revoked_by == staff
    assert_unauthorized(post(client, WHO, **bearer(secret)))


def test_revoking_one_token_leaves_the_others_working(client, staff):
    first = sign_in(client, staff.username, name="phone")["token"]
    second = sign_in(client, staff.username, name="tablet")["token"]
    run(client, REVOKE, **bearer(first))
    assert run(client, WHO, **bearer(second))["me"]["username"] == staff.username


@pytest.mark.parametrize(("signed_in", "code"), [(False, "unauthenticated"), (True, "invalid")])
def test_revoke_token_needs_a_bearer_request(client, staff, signed_in, code):
    if signed_in:
        client.force_login(staff)
    result = run(client, REVOKE)["revokeToken"]
    assert result["ok"] is False and [e["code"] for e in result["errors"]] == [code]


def test_only_the_owner_or_an_administrator_may_revoke_a_token(staff):
    token, _secret = issue_token(staff, name="app")
    colleague = StaffFactory(unit=staff.staff_profile.unit, roles=["handler"]).user
    with pytest.raises(NotAllowed):
        revoke_token(token, acting_user=colleague)
    token.refresh_from_db()
    assert token.revoked_at is None

    administrator = StaffFactory(unit=staff.staff_profile.unit, roles=["administrator"]).user
    revoke_token(token, acting_user=administrator)
    token.refresh_from_db()
    assert token.revoked_by == administrator
    first_revocation = token.revoked_at
    # revoking again changes nothing
    revoke_token(token, acting_user=staff)
    token.refresh_from_db()
    assert token.revoked_at == first_revocation and token.revoked_by == administrator


# --- me ------------------------------------------------------------------------------------------
def test_me_is_null_for_anonymous_callers_and_for_users_who_are_not_staff(client, db):
    assert run(client, ME) == {"me": None}
    client.force_login(UserFactory())
    assert run(client, ME) == {"me": None}


def test_me_describes_the_staff_member_and_their_inboxes(client, world, flow):
    # given a dispatcher of the centre whose role sees personal data but not confidential cases,
    # and one received case waiting to be dispatched
    Role.objects.filter(code="dispatcher").update(sees_personal_data=True, sees_confidential=False)
    flow.received()
    client.force_login(world.dispatcher)

    # when they ask who they are
    me = run(client, ME)["me"]

    # then they get their name, unit, roles, what they may see and their inbox counts
    profile = world.dispatcher.staff_profile
    assert me["username"] == world.dispatcher.username
    assert me["name"] == profile.name
    assert me["unit"] == {"code": "centre", "name": "市12345指挥中心"}
    assert me["roles"] == ["dispatcher"]
    assert (me["seesPersonalData"], me["seesConfidential"]) == (True, False)
    boxes = {entry["box"]: entry for entry in me["inbox"]}
    assert boxes["to_dispatch"]["count"] == 1
    assert boxes["overdue"]["count"] == 0
    assert "to_visit" in boxes and "to_sign" in boxes


def test_me_labels_follow_the_language_of_the_staff_member_s_account(client, world):
    client.force_login(world.dispatcher)
    with translation.override("zh-hans"):
        chinese = str(get_box("to_dispatch").label)
    label = {e["box"]: e["label"] for e in run(client, ME)["me"]["inbox"]}
    assert label["to_dispatch"] == chinese

    UserProfile.objects.update_or_create(user=world.dispatcher, defaults={"preferred_language": "en"})
    label = {e["box"]: e["label"] for e in run(client, ME)["me"]["inbox"]}
    assert label["to_dispatch"] == "To dispatch"


def test_me_for_a_superuser(client, db):
    client.force_login(get_user_model().objects.create_superuser("root", password="pw-for-tests"))
    me = run(client, ME)["me"]
    assert me["unit"] is None
    assert me["roles"] == list(Role.Code.values)
    assert (me["seesPersonalData"], me["seesConfidential"]) == (True, True)
    assert {e["box"] for e in me["inbox"]} >= {"to_dispatch", "overdue", "unsatisfied"}


def test_me_through_a_bearer_token(client, staff):
    _token, secret = issue_token(staff, name="app")
    me = run(client, ME, **bearer(secret))["me"]
    assert me["username"] == staff.username and me["roles"] == ["handler"]
    assert me["unit"]["code"] == "zjj"


# --- The admin screens ------------------------------------------------------------------------------
@pytest.fixture
def a_token(staff):
    return issue_token(staff, name="掌上12345")


def test_administrators_see_the_token_list_without_digests(admin_client, a_token):
    token, secret = a_token
    response = admin_client.get(reverse("api_tokens:index"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "掌上12345" in content and token.prefix in content
    assert token.digest not in content and secret not in content
    inspect = admin_client.get(reverse("api_tokens:inspect", args=[token.pk])).content.decode()
    assert token.prefix in inspect and token.digest not in inspect
    response = admin_client.get(reverse("api_tokens:index") + "?export=csv")
    export = b"".join(response.streaming_content).decode()
    assert "掌上12345" in export and token.digest not in export


def test_tokens_cannot_be_added_or_edited_in_the_admin(admin_client, a_token):
    token, _secret = a_token
    assert admin_client.get(reverse("api_tokens:add")).status_code in (302, 403)
    assert admin_client.get(reverse("api_tokens:edit", args=[token.pk])).status_code in (302, 403)
    assert admin_client.post(reverse("api_tokens:delete", args=[token.pk])).status_code in (302, 403)
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_staff_who_are_not_administrators_do_not_see_the_tokens(client, a_token):
    token, _secret = a_token
    client.force_login(StaffFactory(unit=token.user.staff_profile.unit, roles=["dispatcher"]).user)
    assert client.get(reverse("api_tokens:index")).status_code in (302, 403)
    assert client.post(reverse("api_tokens:revoke", args=[token.pk])).status_code in (302, 403)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_an_administrator_revokes_a_token_in_the_admin(client, a_token):
    token, secret = a_token
    administrator = StaffFactory(unit=token.user.staff_profile.unit, roles=["administrator"]).user
    client.force_login(administrator)
    assert client.get(reverse("api_tokens:revoke", args=[token.pk])).status_code == 200
    response = client.post(reverse("api_tokens:revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_by == administrator
    client.logout()
    assert_unauthorized(post(client, WHO, **bearer(secret)))
