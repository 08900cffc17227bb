"""The six staff roles the services check (codes are fixed; names editable)."""

from django.db import migrations

ROLES = [
    ("administrator", "平台管理员"),
    ("dispatcher", "话务员/派单员"),
    ("handler", "承办人"),
    ("unit_leader", "单位负责人"),
    ("supervisor", "督办/领导"),
    ("visitor", "回访员"),
]


def create_roles(apps, schema_editor):
    Role = apps.get_model("snippets", "Role")
    for code, name in ROLES:
        Role.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("snippets", "0001_initial")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
