"""Every response carries a strict Content Security Policy and the basic security headers.

The policy is compared directive by directive, each with its exact set of sources: a source added
anywhere (``'unsafe-eval'``, a CDN, ``*``) or a directive dropped fails, whatever the header's order.
"""

import pytest
from django.core.cache import cache

EXPECTED_POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "font-src": {"'self'"},
    "connect-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}


def directives(header):
    """``Content-Security-Policy`` as ``{directive: set of sources}``; a directive given twice fails."""
    policy = {}
    for part in header.split(";"):
        words = part.split()
        if not words:
            continue
        name, *sources = words
        name = name.lower()
        assert name not in policy, f"{name} appears twice in {header!r}"
        policy[name] = set(sources)
    return policy


def test_directives_parse_into_exact_sets_of_sources():
    assert directives("script-src 'self' 'unsafe-eval'; img-src 'self'  data: ;") == {
        "script-src": {"'self'", "'unsafe-eval'"},
        "img-src": {"'self'", "data:"},
    }
    with pytest.raises(AssertionError):
        directives("script-src 'self'; script-src *")


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/admin/login/", 200),
        ("/en/", 200),
        ("/uk/films/we-will-not-fade-away/", 200),
        ("/en/idfa-2023/programme/?day=2023-11-12", 200),
        # Framed by no site while EMBED_ALLOWED_ORIGINS is empty (tests/test_embed_programme.py sets it).
        ("/en/idfa-2023/embed/programme/?day=2023-11-12", 200),
        ("/en/films/no-such-film/", 404),
        ("/api/v1/idfa-2023/programme.json", 200),
        ("/sitemap.xml", 200),
        ("/en/idfa-2023/programme.ics", 200),
    ],
)
def test_responses_send_exactly_the_strict_content_security_policy(client, catalogue_film, url, status, settings):
    settings.FESTIVAL_PAGE_CACHE_SECONDS = 300
    cache.clear()
    for _attempt in ("fresh", "from the page cache"):
        response = client.get(url)
        assert response.status_code == status, url
        assert directives(response.headers["Content-Security-Policy"]) == EXPECTED_POLICY, url
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["X-Frame-Options"] == "DENY"
    cache.clear()


def test_the_admin_sends_the_same_policy_to_staff(admin_client, db):
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    assert directives(response.headers["Content-Security-Policy"]) == EXPECTED_POLICY
