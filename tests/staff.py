"""Staff for admin tests: a logged-in client of a member of one of the roles (films/roles.py)."""

from django.contrib.auth.models import Group, User
from django.test import Client


def member(name, group):
    """A client logged in as a new staff user ``name`` in the group ``group`` (Programmers, Translators, ...)."""
    user = User.objects.create_user(name, password="password", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client
