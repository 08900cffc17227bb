"""Staff roles and their Django permission groups.

The six role codes are fixed (the services check them); their names can be
edited. Every role has one ``auth.Group`` (``Role.group``, named after the
role) holding the Wagtail permissions that go with it, and a user is in the
groups of their staff profile's roles (``sync_user_groups``), so the
admin's own permission checks (menus, snippet screens) follow the roles.

``ensure_roles`` runs after every ``migrate`` (and ``flush``), so a fresh
database has the roles, groups and permissions; it only adds what is
missing, and never removes a permission an administrator granted by hand."""

from django.apps import apps as global_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from ..models import Role, StaffProfile

R = Role.Code

CONFIDENTIAL = {R.ADMINISTRATOR, R.DISPATCHER, R.SUPERVISOR}

# Configuration models a supervisor may read (the centre's set-up, not people).
CONFIG_MODELS = [
    "region", "unit", "channel", "directoryitem", "timelimitpolicy", "calendaryear", "calendarday", "warningrule",
    "replytemplate", "dutyboundary", "assessmentscheme",
]
# What a dispatcher reads while dispatching.
DISPATCH_MODELS = ["directoryitem", "unit", "channel", "replytemplate", "dutyboundary"]


def access_admin_permission():
    """Wagtail's "can access the admin" permission (re-created if a flush removed it)."""
    from wagtail.admin.models import Admin

    permission, _new = Permission.objects.get_or_create(
        content_type=ContentType.objects.get_for_model(Admin), codename="access_admin",
        defaults={"name": "Can access Wagtail admin"},
    )
    return permission


def snippet_permissions(actions, model_names=None):
    """The permissions ``{action}_{model}`` of the configuration app's models
    (all of them, or those named)."""
    codenames = []
    for model in global_apps.get_app_config("snippets").get_models():
        name = model._meta.model_name
        if model_names is None or name in model_names:
            codenames += [f"{action}_{name}" for action in actions]
    return Permission.objects.filter(content_type__app_label="snippets", codename__in=codenames)


# Apps above this one whose admin screens the centre's roles work in, by label (no import:
# imports flow one way). Publishing: bulletin series, bulletins, typical cases.
PUBLISHING_APP = "publishing"


def publishing_permissions(actions):
    return Permission.objects.filter(
        content_type__app_label=PUBLISHING_APP, codename__regex=rf"^({'|'.join(actions)})_",
    )


def role_permissions(code):
    """The permissions a role's group holds (besides admin access): the
    administrator configures everything, bulletins included; the supervisor
    reads the configuration and makes, publishes and withdraws bulletins and
    chooses typical cases."""
    if code == R.ADMINISTRATOR:
        return snippet_permissions(("add", "change", "delete", "view")) | publishing_permissions(
            ("add", "change", "delete", "view"))
    if code == R.SUPERVISOR:
        return snippet_permissions(("view",), CONFIG_MODELS) | publishing_permissions(("add", "change", "view"))
    if code == R.DISPATCHER:
        return snippet_permissions(("view",), DISPATCH_MODELS)
    return Permission.objects.none()


def _group_for(role):
    """The role's group: linked already (renamed after the role when the
    name is free), or the group of its name, or a new one."""
    if role.group_id is not None:
        group = role.group
        if group.name != role.name and not Group.objects.filter(name=role.name).exists():
            group.name = role.name
            group.save(update_fields=["name"])
        return group, False
    name = role.name
    taken = Group.objects.filter(name=name, minsheng_role__isnull=False).exists()
    if taken:  # two roles with one name: keep the groups apart
        name = f"{role.name} ({role.code})"
    group, _created = Group.objects.get_or_create(name=name)
    role.group = group
    role.save(update_fields=["group"])
    return group, True


@transaction.atomic
def ensure_roles():
    """Return {code: Role}, creating missing roles (with their default names),
    their groups and the groups' permissions."""
    roles = {r.code: r for r in Role.objects.select_related("group")}
    for code, label in Role.Code.choices:
        if code not in roles:
            roles[code] = Role.objects.create(code=code, name=str(label), sees_confidential=code in CONFIDENTIAL)
    access = access_admin_permission()
    for code, role in roles.items():
        group, _linked = _group_for(role)
        # .add() inserts only the missing links: a second run writes nothing.
        group.permissions.add(access, *role_permissions(code))
    return roles


def sync_user_groups(profile, *, user=None):
    """Put the profile's user (or ``user``) in exactly the groups of the
    profile's roles among the role groups; other groups are left alone. An
    inactive profile, or a user who lost the profile, keeps no role group."""
    user = user or profile.user
    if user is None:
        return
    roles = list(profile.roles.all()) if profile.is_active and profile.user_id == user.pk else []
    if any(r.group_id is None for r in roles):
        ensure_roles()
        roles = list(profile.roles.select_related("group"))
    wanted = {r.group_id for r in roles}
    role_groups = set(Role.objects.exclude(group=None).values_list("group_id", flat=True))
    current = set(user.groups.filter(pk__in=role_groups).values_list("pk", flat=True))
    if current - wanted:
        user.groups.remove(*(current - wanted))
    if wanted - current:
        user.groups.add(*(wanted - current))


# --- Signal receivers (connected in SnippetsConfig.ready) -----------------------------------
def remember_previous_user(sender, instance, raw=False, **kwargs):
    """pre_save of a staff profile: note whose account it was linked to."""
    if raw or instance.pk is None:
        instance._previous_user_id = None
        return
    instance._previous_user_id = StaffProfile.objects.filter(pk=instance.pk).values_list("user_id", flat=True).first()


def profile_saved(sender, instance, raw=False, **kwargs):
    """post_save of a staff profile: its user's groups follow its roles; an
    account unlinked from the profile loses the role groups."""
    if raw:
        return
    previous = getattr(instance, "_previous_user_id", None)
    if previous and previous != instance.user_id:
        old_user = get_user_model()._default_manager.filter(pk=previous).first()
        if old_user is not None:
            sync_user_groups(instance, user=old_user)
    sync_user_groups(instance)


def roles_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """m2m_changed of StaffProfile.roles, from either side."""
    if action == "pre_clear" and reverse:
        instance._cleared_profile_ids = list(instance.staff.values_list("pk", flat=True))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        sync_user_groups(instance)
        return
    ids = pk_set if action != "post_clear" else getattr(instance, "_cleared_profile_ids", [])
    for profile in StaffProfile.objects.filter(pk__in=ids or ()).select_related("user"):
        sync_user_groups(profile)


def create_roles_after_migrate(sender, app_config=None, using="default", apps=None, **kwargs):
    """post_migrate of this app: roles, groups and permissions for a fresh
    database. The snippets' own permissions are created first (this app
    migrates before django.contrib.auth's handler has run for it)."""
    from django.contrib.auth.management import create_permissions

    if apps is not None:
        try:
            historical = apps.get_model("snippets", "Role")
            historical._meta.get_field("group")
        except Exception:  # a partial migration: the role model is not there yet
            return
    create_permissions(global_apps.get_app_config("snippets"), verbosity=0, using=using)
    if global_apps.is_installed(PUBLISHING_APP):
        create_permissions(global_apps.get_app_config(PUBLISHING_APP), verbosity=0, using=using)
    ensure_roles()
