"""The six staff roles the services check. Created by a data migration; this
re-creates any that are missing (a flushed database, a hand-deleted row)."""

from ..models import Role


CONFIDENTIAL = {Role.Code.ADMINISTRATOR, Role.Code.DISPATCHER, Role.Code.SUPERVISOR}


def ensure_roles():
    """Return {code: Role}, creating missing roles with their default names."""
    roles = {r.code: r for r in Role.objects.all()}
    for code, label in Role.Code.choices:
        if code not in roles:
            roles[code] = Role.objects.create(code=code, name=str(label), sees_confidential=code in CONFIDENTIAL)
    return roles
