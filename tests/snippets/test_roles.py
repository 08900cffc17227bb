"""Roles are Django groups with permissions (snippets.services.roles), and a
staff member's groups follow the roles of their profile."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from snippets.models import Role, StaffProfile
from snippets.services.roles import create_roles_after_migrate, ensure_roles, sync_user_groups
from tests.factories import StaffFactory, UnitFactory, UserFactory

User = get_user_model()
R = Role.Code
pytestmark = pytest.mark.django_db


def perms(role_code):
    group = Role.objects.get(code=role_code).group
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def groups_of(user):
    return set(User.objects.get(pk=user.pk).groups.values_list("name", flat=True))


def test_a_migrated_database_has_one_group_per_role_with_admin_access():
    # the test database was built by migrate, whose post_migrate ran ensure_roles
    roles = Role.objects.select_related("group")
    assert {r.code for r in roles} == set(R.values)
    for role in roles:
        assert role.group is not None and role.group.name == role.name
        assert "wagtailadmin.access_admin" in perms(role.code)


def test_each_role_gets_its_permissions():
    admin = perms(R.ADMINISTRATOR)
    assert {"snippets.add_unit", "snippets.change_directoryitem", "snippets.delete_replytemplate",
            "snippets.view_staffprofile", "snippets.change_role"} <= admin
    supervisor = perms(R.SUPERVISOR)
    assert {"snippets.view_unit", "snippets.view_timelimitpolicy", "snippets.view_warningrule"} <= supervisor
    assert not any(p.startswith(("snippets.change_", "snippets.add_", "snippets.delete_")) for p in supervisor)
    assert "snippets.view_staffprofile" not in supervisor
    dispatcher = perms(R.DISPATCHER)
    assert {"snippets.view_directoryitem", "snippets.view_unit", "snippets.view_channel",
            "snippets.view_replytemplate", "snippets.view_dutyboundary"} <= dispatcher
    assert "snippets.view_timelimitpolicy" not in dispatcher
    assert perms(R.HANDLER) == {"wagtailadmin.access_admin"}


def test_ensure_roles_is_idempotent_and_repairs_what_is_missing():
    Role.objects.filter(code=R.VISITOR).delete()
    handler = Role.objects.get(code=R.HANDLER)
    handler.group.permissions.clear()
    ensure_roles()
    assert Role.objects.get(code=R.VISITOR).group.name == str(R.VISITOR.label)
    assert perms(R.HANDLER) == {"wagtailadmin.access_admin"}
    groups, links = Group.objects.count(), Group.permissions.through.objects.count()
    ensure_roles()
    create_roles_after_migrate(sender=None)
    assert (Group.objects.count(), Group.permissions.through.objects.count()) == (groups, links)


def test_a_renamed_role_renames_its_group():
    role = Role.objects.get(code=R.HANDLER)
    role.name = "承办单位工作人员"
    role.save()
    ensure_roles()
    role.refresh_from_db()
    assert role.group.name == "承办单位工作人员"


def test_a_profiles_roles_become_its_users_groups():
    profile = StaffFactory(roles=["dispatcher", "visitor"])
    assert groups_of(profile.user) == {Role.objects.get(code=c).name for c in ("dispatcher", "visitor")}
    assert User.objects.get(pk=profile.user.pk).has_perm("wagtailadmin.access_admin")
    assert User.objects.get(pk=profile.user.pk).has_perm("snippets.view_directoryitem")
    # a role removed from the profile (from the role's side, as the admin's m2m widget may do)
    Role.objects.get(code=R.VISITOR).staff.remove(profile)
    assert groups_of(profile.user) == {Role.objects.get(code=R.DISPATCHER).name}
    profile.roles.clear()
    assert groups_of(profile.user) == set()


def test_other_groups_are_left_alone():
    other = Group.objects.create(name="工作人员")
    profile = StaffFactory(roles=["handler"])
    profile.user.groups.add(other)
    profile.roles.set([Role.objects.get(code=R.UNIT_LEADER)])
    assert groups_of(profile.user) == {"工作人员", Role.objects.get(code=R.UNIT_LEADER).name}


def test_an_inactive_profile_and_an_unlinked_account_lose_the_role_groups():
    profile = StaffFactory(roles=["handler"])
    user = profile.user
    profile.is_active = False
    profile.save()
    assert groups_of(user) == set()
    profile.is_active = True
    profile.save()
    assert groups_of(user) == {Role.objects.get(code=R.HANDLER).name}
    # the profile is linked to another account: the old one loses the groups
    other = UserFactory()
    profile.user = other
    profile.save()
    assert groups_of(user) == set()
    assert groups_of(other) == {Role.objects.get(code=R.HANDLER).name}


def test_sync_creates_a_missing_group_on_the_way():
    role = Role.objects.get(code=R.SUPERVISOR)
    Group.objects.filter(pk=role.group_id).delete()
    profile = StaffProfile.objects.create(name="督办员", unit=UnitFactory(), user=UserFactory())
    profile.roles.add(Role.objects.get(code=R.SUPERVISOR))
    sync_user_groups(profile)
    assert groups_of(profile.user) == {Role.objects.get(code=R.SUPERVISOR).name}


def test_the_demo_staff_end_up_in_their_role_groups():
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo", cases=0, quiet=True, stderr=StringIO())
    dispatchers = StaffProfile.objects.filter(roles__code=R.DISPATCHER, user__isnull=False).select_related("user")
    assert dispatchers.exists()
    group = Role.objects.get(code=R.DISPATCHER).group
    assert all(group in p.user.groups.all() for p in dispatchers)
    handler = StaffProfile.objects.filter(roles__code=R.HANDLER, user__isnull=False).exclude(
        roles__code=R.DISPATCHER).first()
    assert Role.objects.get(code=R.HANDLER).group in handler.user.groups.all()
    assert handler.user.has_perm("wagtailadmin.access_admin")
