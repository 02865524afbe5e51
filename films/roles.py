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
    "screeningguest",
    "filmcopy",
    "traveltime",
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

# Programmers hold this permission; it lets them change every field of the programme's records, not only
# the translated text columns that translators change.
STRUCTURE_PERMISSION = "films.change_structure"
# Who may change every field of a result model: the awards staff, who may add those records.
# (Translators may change a result's citation but never who won, the kind of prize or its order.)
RESULT_STRUCTURE_PERMISSIONS = {model: f"films.add_{model}" for model in RESULT_MODELS}
# Writing a catalogue file may write any programme record and award results: programmers' rights.
IMPORT_PERMISSION = "films.add_film"
RESULTS_PERMISSION = "films.change_awardresult"


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


def may_change_structure(user, model_name):
    """True when ``user`` may change every field of records of ``model_name`` (``"film"``, ``"awardresult"``),
    False when they may change its translated text at most (a translator, or awards staff on a film)."""
    if user.has_perm(STRUCTURE_PERMISSION) and model_name not in RESULT_MODELS:
        return True
    permission = RESULT_STRUCTURE_PERMISSIONS.get(model_name)
    return permission is not None and user.has_perm(permission)


def may_decide_results(user):
    """Who may change who won: the awards staff (and superusers), never translators or programmers."""
    return user.has_perm(RESULTS_PERMISSION) and may_change_structure(user, "awardresult")


def may_translate_results(user):
    """Who may open a competition's results page at all: to decide results, or to translate citations."""
    return user.has_perm(RESULTS_PERMISSION)


def may_import_catalogue(user, *, writes_results=False):
    """A catalogue import writes films, people, screenings and sections across the whole festival, and results
    when the file has them: programmers who curate no section in particular; with results, awards rights too."""
    if not (user.has_perm(IMPORT_PERMISSION) and user.has_perm(STRUCTURE_PERMISSION)):
        return False
    if not user.is_superuser and user.curated_sections.exists():
        return False
    return not writes_results or may_decide_results(user)


def sync_roles(apps, schema_editor=None):
    """Create the groups and set their permissions to exactly the lists above."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")  # pragma: no mutate - a model's name ignores case
    Permission = apps.get_model("auth", "Permission")  # pragma: no mutate - a model's name ignores case
    # Models a later migration adds have no permissions yet at an earlier one: that migration syncs again.
    existing = {
        (app_label, codename): pk
        for pk, app_label, codename in Permission.objects.values_list("pk", "content_type__app_label", "codename")
    }
    for name, wanted in role_permissions().items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set([existing[permission] for permission in sorted(wanted) if permission in existing])
