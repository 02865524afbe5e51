"""Admin login throttling (django-axes): repeated failures lock a username+address out."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

PASSWORD = "the-right-passphrase-42"


@pytest.fixture(autouse=True)
def _axes_on(settings):
    settings.AXES_ENABLED = True
    cache.clear()


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user("programmer", password=PASSWORD, is_staff=True, is_superuser=True)


def login(client, password, username="programmer", address="10.1.2.3"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def test_sixth_attempt_is_refused_even_with_the_right_password(client, staff):
    for attempt in range(1, 5):
        response = login(client, f"wrong-{attempt}")
        assert response.status_code == 200, attempt
        assert "Please enter the correct username and password" in response.content.decode()
    fifth = login(client, "wrong-5")
    assert fifth.status_code == 429
    sixth = login(client, PASSWORD)
    assert sixth.status_code == 429
    text = sixth.content.decode()
    assert "Too many failed logins" in text
    assert "Try again in 15 minutes." in text
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_lockout_is_per_username_and_address(client, staff):
    for attempt in range(5):
        login(client, f"wrong-{attempt}")
    # The same username from another address, and another username from the locked address, may still log in.
    other_client = client.__class__()
    assert login(other_client, PASSWORD, address="10.9.9.9").status_code == 302
    get_user_model().objects.create_user("translator", password=PASSWORD, is_staff=True)
    assert login(client.__class__(), PASSWORD, username="translator").status_code == 302


def test_successful_login_resets_the_failure_count(client, staff):
    for attempt in range(4):
        login(client, f"wrong-{attempt}")
    assert login(client, PASSWORD).status_code == 302
    client.logout()
    for attempt in range(4):
        assert login(client, f"again-wrong-{attempt}").status_code == 200
    assert login(client, PASSWORD).status_code == 302


def test_lockout_expires_after_the_cool_off(client, staff, settings):
    import datetime

    from axes.models import AccessAttempt

    for attempt in range(5):
        login(client, f"wrong-{attempt}")
    assert login(client, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    assert login(client, PASSWORD).status_code == 302
