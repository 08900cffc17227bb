"""Who may look at the case app's records in the admin: nobody adds, edits
or deletes them there (they change only through the services); superusers
and users with an active staff profile may look, each at the rows
``visible(user)`` gives them (a service's scoped queryset)."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from wagtail.permission_policies import ModelPermissionPolicy

from ..services.visibility import active_profile, sees_every_case

READ_ACTIONS = {"view", "inspect"}


class StaffReadOnlyPolicy(ModelPermissionPolicy):
    visible = None  # a function of the user: the queryset of rows they may read

    def user_has_permission(self, user, action):
        if action in {"add", "change", "delete"}:
            return False
        if action in READ_ACTIONS:
            return sees_every_case(user) or active_profile(user) is not None
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, a) for a in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        return action not in READ_ACTIONS or type(self).visible(user).filter(pk=instance.pk).exists()

    def instances_user_has_any_permission_for(self, user, actions):
        if any(a in READ_ACTIONS and self.user_has_permission(user, a) for a in actions):
            return type(self).visible(user)
        return self.model.objects.none()

    def users_with_any_permission(self, actions):
        if not READ_ACTIONS.intersection(actions):
            return get_user_model().objects.none()
        return get_user_model().objects.filter(is_active=True).filter(
            Q(is_superuser=True) | Q(staff_profile__is_active=True)
        )
