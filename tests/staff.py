"""Staff for admin tests: a logged-in client of a member of one of the roles (films/roles.py), and what the admin
said to them."""

from django.contrib.auth.models import Group, User
from django.contrib.messages import get_messages
from django.test import Client


def member(name, group):
    """A client logged in as a new staff user ``name`` in the group ``group`` (Programmers, Translators, ...)."""
    user = User.objects.create_user(name, password="password", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client


def said(response):
    """The messages the admin left for the user with ``response``, as text."""
    return [str(message) for message in get_messages(response.wsgi_request)]
