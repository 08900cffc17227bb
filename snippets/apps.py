from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_migrate, post_save, pre_save
from django.utils.translation import gettext_lazy as _


class SnippetsConfig(AppConfig):
    name = "snippets"
    verbose_name = _("Centre configuration")

    def ready(self):
        from .models import StaffProfile
        from .services import roles

        # Roles are Django groups: a fresh database gets them, and a staff
        # member's groups follow the roles of their profile.
        post_migrate.connect(roles.create_roles_after_migrate, sender=self, dispatch_uid="snippets.ensure_roles")
        pre_save.connect(roles.remember_previous_user, sender=StaffProfile, dispatch_uid="snippets.profile_pre_save")
        post_save.connect(roles.profile_saved, sender=StaffProfile, dispatch_uid="snippets.profile_groups")
        m2m_changed.connect(
            roles.roles_changed, sender=StaffProfile.roles.through, dispatch_uid="snippets.profile_role_groups",
        )
