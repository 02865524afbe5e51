"""Create the staff groups (Programmers, Awards staff, Translators) with their permissions."""

from django.db import migrations

from films.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("films", "0002_competitions"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
