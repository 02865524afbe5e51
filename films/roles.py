"""The staff roles and exactly the permissions their work needs.

Groups are created by a migration (``0003_roles``), so every fresh database has
them; a later migration that changes a role calls ``sync_roles`` again.
"""

PROGRAMME_MODELS = [
    "festival",
    "edition",
    "section",
    "venue",
    "screen",
    "film",
    "filmtitle",
    "filmimage",
    "tag",
    "selection",
    "festivalhistoryentry",
    "festivalhistoryaward",
    "person",
    "personalias",
    "filmographyentry",
    "company",
    "companyalias",
    "credit",
    "companycredit",
    "screening",
    "screeningfilm",
]
RESULT_MODELS = ["jurymember", "award", "awardresult"]
# Models with translated text fields (see films/translation.py).
TRANSLATED_MODELS = [
    "festival",
    "edition",
    "section",
    "venue",
    "tag",
    "film",
    "filmimage",
    "person",
    "screening",
    "award",
    "awardresult",
]

PROGRAMMERS = "Programmers"
AWARDS_STAFF = "Awards staff"
TRANSLATORS = "Translators"


def role_permissions():
    """{group name: set of (app_label, codename)}."""
    return {
        PROGRAMMERS: {
            ("films", f"{action}_{model}")
            for model in PROGRAMME_MODELS
            for action in ("add", "change", "delete", "view")
        }
        | {("films", "change_structure")},
        AWARDS_STAFF: {("films", f"view_{model}") for model in PROGRAMME_MODELS}
        | {("films", f"{action}_{model}") for model in RESULT_MODELS for action in ("add", "change", "view")},
        # Without films.change_structure the admin lets them change translated text fields only.
        TRANSLATORS: {("films", f"{action}_{model}") for model in TRANSLATED_MODELS for action in ("change", "view")},
    }


def sync_roles(apps, schema_editor=None):
    """Create the groups and set their permissions to exactly the lists above."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in role_permissions().items():
        group, _created = Group.objects.get_or_create(name=name)
        permissions = [
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in sorted(wanted)
        ]
        group.permissions.set(permissions)
