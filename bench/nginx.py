"""Debian's nginx in front of gunicorn with the project's own config, docs/production/nginx.conf, tested for real.

    .venv/bin/python bench/nginx.py        (needs Debian's nginx and openssl; about 15 seconds; only 127.0.0.1)

Not a test. Runs on DATABASE_URL (default festival_nginx, created if missing) with the berlinale demo there (built
if missing; its images in MEDIA_ROOT, default the settings' media/), and CACHE_URL (default
redis://127.0.0.1:6379/12). Collects the static files into a temporary STATIC_ROOT, makes a throwaway self-signed
certificate for 127.0.0.1, writes docs/production/nginx.conf with its example paths, host, ports and certificate
replaced by these, and starts gunicorn (production settings, BEHIND_HTTPS_PROXY=true, FESTIVAL_SERVE_MEDIA=false,
Secure cookies) and nginx (a child process: ``nginx -c ... -p ... -g 'daemon off; ...'``) on the ports
NGINX_BENCH_PORTS (default 8961,8962,8963: gunicorn, nginx http, nginx https). It shows, as met or missed with
the evidence:

a. the site CSS, by its hashed name, and a demo image are served by nginx (gunicorn's access log never sees
   them) with their cache headers (a year and immutable, an hour under the unhashed name; 30 days, nosniff and a
   sandboxing CSP for the image); an HTML and an SVG file put in MEDIA_ROOT answer 404;
b. X-Forwarded-Proto is honoured: through nginx the pages' canonical link and the sitemap's <loc> are https,
   the admin redirects to its login page and a POST login succeeds (CSRF over https, Secure cookies), while the
   same page fetched from gunicorn directly says http; plain http to nginx redirects to https;
c. HTML is compressed: a page asked for with Accept-Encoding: gzip comes back gzip with Vary: Accept-Encoding
   (also when the request came through another proxy, with a Via header) and decompresses to the uncompressed
   page (sizes printed);
d. uploads are limited by client_max_body_size: a POST one KiB over it gets 413 from nginx and never reaches
   gunicorn, one KiB under it reaches the app, and a real image upload through the admin at the app's image
   limit (FESTIVAL_IMAGE_MAX_BYTES, 15 MiB; a PNG just under it) is accepted (and removed afterwards).

It stops nginx and gunicorn and removes its temporary files, even when it fails.
"""

import contextlib
import email.utils
import gzip
import http.client
import http.cookies
import io
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import serving
from PIL import Image
from serving import EDITION, ROOT, Gunicorn, ensure_admin, ensure_demo, manage_shell, production_env
from urllib3 import encode_multipart_formdata  # with requests, which pip-audit (requirements-dev.txt) needs

CONF = ROOT / "docs" / "production" / "nginx.conf"
APP_PORT, HTTP_PORT, HTTPS_PORT = (int(p) for p in os.environ.get("NGINX_BENCH_PORTS", "8961,8962,8963").split(","))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", ROOT / "media"))
IMAGE_MAX_BYTES = int(os.environ.get("FESTIVAL_IMAGE_MAX_BYTES", str(15 * 1024 * 1024)))
PAGE = f"/en/{EDITION}/programme/?day=2026-02-14"
ADMIN_USER, ADMIN_PASSWORD = "nginx-bench-admin", secrets.token_urlsafe(16)
RUN = secrets.token_hex(4)  # in every probe's query string and file name, so the logs can be searched for it
HTTPS = f"https://127.0.0.1:{HTTPS_PORT}"
# As festival/media.py answers them when the app serves /media/ itself.
IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}
YEAR, THIRTY_DAYS = "public, max-age=31536000, immutable", 30 * 24 * 3600

# The server block the project documents, with its example values (as written there) and what replaces them here.
NGINX_MAIN = """worker_processes 1;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    log_format bench '$request_uri $status upstream=$upstream_addr';
    access_log {tmp}/nginx-access.log bench;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/festival.conf;
}}
"""


def site_config(tmp, static_root, cert, key):
    text = CONF.read_text()
    for example, value in [
        ("listen 80;", f"listen 127.0.0.1:{HTTP_PORT};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{HTTPS_PORT} ssl http2;"),
        ("/etc/letsencrypt/live/festival.example.org/fullchain.pem", str(cert)),
        ("/etc/letsencrypt/live/festival.example.org/privkey.pem", str(key)),
        ("festival.example.org", "127.0.0.1"),
        ("127.0.0.1:8000", f"127.0.0.1:{APP_PORT}"),
        ("/srv/festival/staticfiles/", f"{static_root}/"),
        ("/srv/festival/media/", f"{MEDIA_ROOT}/"),
    ]:
        if example not in text:
            sys.exit(f"{CONF.relative_to(ROOT)} no longer has {example!r}; update bench/nginx.py")
        text = text.replace(example, value)
    listens = re.findall(r"^\s*listen\s+(\S+)", text, re.M)
    if not listens or any(not address.startswith("127.0.0.1:") for address in listens):
        sys.exit(f"refusing to listen beyond 127.0.0.1: {listens}")
    (tmp / "festival.conf").write_text(text)
    (tmp / "nginx.conf").write_text(NGINX_MAIN.format(tmp=tmp))


def self_signed_certificate(tmp):
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(  # noqa: S603
        [
            *("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"),
            *("-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return cert, key


class Nginx:
    """``with Nginx(tmp):`` runs nginx in the foreground as a child process, until the block ends."""

    def __init__(self, tmp):
        self.arguments = ["nginx", "-c", str(tmp / "nginx.conf"), "-p", str(tmp), "-e", str(tmp / "nginx-error.log")]
        self.arguments += ["-g", f"daemon off; pid {tmp}/nginx.pid; error_log {tmp}/nginx-error.log;"]
        self.error_log = tmp / "nginx-error.log"

    def __enter__(self):
        checked = subprocess.run([*self.arguments, "-t"], capture_output=True, text=True, timeout=30)  # noqa: S603
        if checked.returncode:
            sys.exit(f"nginx -t refused the configuration:\n{checked.stderr}")
        self.process = subprocess.Popen(self.arguments)  # noqa: S603
        for _ in range(100):
            try:
                request(HTTP_PORT, "/", tls=False)
                return self
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.05)
        self.__exit__()
        sys.exit(f"nginx did not start:\n{self.error_log.read_text()}")

    def __exit__(self, *exc):
        serving.stop(self.process)


TLS = ssl.create_default_context()


def request(port, path, *, tls=False, method="GET", body=None, headers=None):
    """One request without following redirects: ``(status, headers, raw body bytes)``."""
    if tls:
        connection = http.client.HTTPSConnection("127.0.0.1", port, context=TLS, timeout=30)
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in {**(headers or {}), **({"Content-Length": str(len(body))} if body else {})}.items():
            connection.putheader(name, value)
        connection.endheaders()
        if body:
            # nginx may answer 413 and close before reading it all; its answer is read below.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                connection.send(body)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def via_nginx(path, **kwargs):
    return request(HTTPS_PORT, path, tls=True, **kwargs)


def probe(path, name):
    return f"{path}{'&' if '?' in path else '?'}probe={name}-{RUN}"


class AppLog:
    """gunicorn's access log: which probes reached the app."""

    def __init__(self, path):
        self.path = path

    def settle(self):
        """Wait until a request sent now through nginx is logged, so that every earlier one is logged too."""
        marker = probe("/healthz", f"marker{secrets.token_hex(2)}")
        via_nginx(marker)
        for _ in range(100):
            if marker in self.path.read_text():
                time.sleep(0.2)  # the other worker's line for an earlier request
                return
            time.sleep(0.05)

    def lines(self, name):
        return [line for line in self.path.read_text().splitlines() if f"probe={name}-{RUN}" in line]


def cookies(headers):
    jar = http.cookies.SimpleCookie()
    for value in headers.get_all("Set-Cookie") or []:
        jar.load(value)
    return jar


def body_limit():
    value = re.search(r"^\s*client_max_body_size\s+(\d+)([kKmM]?);", CONF.read_text(), re.M)
    return int(value.group(1)) * {"": 1, "k": 1024, "m": 1024 * 1024}[value.group(2).lower()]


def big_png(size):
    """A PNG of random pixels just under ``size`` bytes (noise does not compress)."""
    side = int((size * 0.97 / 3) ** 0.5)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def demo_image(env):
    """A demo image file under MEDIA_ROOT (relative name) and a film's primary key; the demo is rebuilt if its
    images are not there (built with another MEDIA_ROOT)."""
    code = (
        "import os; from films.models import FilmImage; "
        "i = next((i for i in FilmImage.objects.exclude(display='').order_by('pk')[:50] "
        "if os.path.isfile(i.display.path)), None); "
        "print(i.display.name if i else '-', i.film_id if i else '-')"
    )
    found = manage_shell(env, code).split()
    if found[0] == "-":
        ensure_demo(env, rebuild=True)
        found = manage_shell(env, code).split()
    return found


def remove_uploads(env):
    """The images this run uploaded through the admin: their rows, files and history."""
    manage_shell(
        env,
        "from reversion.models import Version; from films.models import FilmImage; "
        f"images = FilmImage.objects.filter(image__contains='nginx-probe-{RUN}'); "
        "[(Version.objects.get_for_object(i).delete(), [f.delete(save=False) for f in (i.image, i.thumbnail, "
        "i.display) if f], i.delete()) for i in images]; print(len(images))",
    )


def check_static_and_media(results, static_root, image_name, app_log):
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    css = manifest["films/css/site.css"]
    status, headers, body = via_nginx(probe(f"/static/{css}", "css"), headers={"Accept-Encoding": "gzip"})
    content = gzip.decompress(body) if headers.get("Content-Encoding") == "gzip" else body
    css_ok = status == 200 and headers.get("Cache-Control") == YEAR and content == (static_root / css).read_bytes()
    # The copy under the unhashed name may change with the next release: not immutable.
    unhashed = via_nginx(probe("/static/films/css/site.css", "css"))[1].get("Cache-Control")
    status_i, headers_i, body_i = via_nginx(probe(f"/media/{image_name}", "image"))
    expires = email.utils.parsedate_to_datetime(headers_i.get("Expires", "Thu, 01 Jan 1970 00:00:00 GMT"))
    days = (expires.timestamp() - time.time()) / 86400
    image_ok = (
        status_i == 200
        and body_i == (MEDIA_ROOT / image_name).read_bytes()
        and headers_i.get("Content-Type") == IMAGE_TYPES[Path(image_name).suffix.lower()]
        and headers_i.get("X-Content-Type-Options") == "nosniff"
        and headers_i.get("Content-Security-Policy") == "default-src 'none'; sandbox"
        and headers_i.get("Cache-Control") == f"max-age={THIRTY_DAYS}"
        and 29.9 < days <= 30
    )
    refused = {}
    for suffix, text in [(".html", "<script>alert(1)</script>"), (".svg", '<svg xmlns="http://www.w3.org/2000/svg"/>')]:
        planted = MEDIA_ROOT / Path(image_name).parent / f"nginx-probe-{RUN}{suffix}"
        planted.write_text(text)
        try:
            refused[suffix] = via_nginx(probe(f"/media/{planted.relative_to(MEDIA_ROOT)}", "planted"))[0]
        finally:
            planted.unlink()
    app_log.settle()
    seen = [name for name in ("css", "image", "planted") if app_log.lines(name)]
    results.append(
        (
            css_ok and unhashed == "public, max-age=3600" and not app_log.lines("css"),
            "static file served by nginx, a year and immutable",
            f"/static/{css}: {status}, Cache-Control: {headers.get('Cache-Control')}, "
            f"Content-Encoding: {headers.get('Content-Encoding')} ({len(body)} bytes, the .gz collectstatic wrote; "
            f"{len(content)} decompressed, equal to the file); unhashed site.css: Cache-Control: {unhashed}",
        )
    )
    results.append(
        (
            image_ok and not app_log.lines("image"),
            "demo image served by nginx with its headers",
            f"/media/{image_name}: {status_i}, {headers_i.get('Content-Type')}, {len(body_i)} bytes; "
            f"nosniff: {headers_i.get('X-Content-Type-Options')}; CSP: {headers_i.get('Content-Security-Policy')}; "
            f"Cache-Control: {headers_i.get('Cache-Control')}; Expires in {days:.2f} days",
        )
    )
    results.append(
        (
            set(refused.values()) == {404} and not app_log.lines("planted"),
            "non-image files in media are 404",
            ", ".join(f"{suffix}: {code}" for suffix, code in refused.items()),
        )
    )
    results.append((not seen, "gunicorn's access log saw none of these", f"probes in it: {seen or 'none'}"))


def check_forwarded_proto(results):
    canonical = re.compile(rb'<link rel="canonical" href="([^"]+)"')
    status, _headers, body = via_nginx(probe(PAGE, "page"))
    through_nginx = canonical.search(body).group(1).decode() if status == 200 else f"status {status}"
    status_d, _headers, body_d = request(APP_PORT, probe(PAGE, "direct"))
    direct = canonical.search(body_d).group(1).decode() if status_d == 200 else f"status {status_d}"
    status_s, _headers, sitemap = via_nginx(probe("/sitemap.xml", "sitemap"))
    loc = re.search(rb"<loc>([^<]+)</loc>", sitemap).group(1).decode() if status_s == 200 else f"status {status_s}"
    results.append(
        (
            through_nginx.startswith(f"{HTTPS}/") and loc.startswith(f"{HTTPS}/") and direct.startswith("http://"),
            "X-Forwarded-Proto honoured: https URLs through nginx, http directly",
            f"canonical through nginx {through_nginx}; sitemap <loc> {loc}; canonical from gunicorn directly {direct}",
        )
    )
    status_r, headers_r, _body = request(HTTP_PORT, "/en/", tls=False)
    results.append(
        (
            status_r == 301 and headers_r.get("Location", "").startswith("https://"),
            "plain http to nginx redirects to https",
            f"http /en/: {status_r} Location: {headers_r.get('Location')}",
        )
    )
    status_a, headers_a, _body = via_nginx("/admin/")
    _status, headers_l, _body = via_nginx("/admin/login/?next=/admin/")
    csrf = cookies(headers_l)["csrftoken"]
    login = {"username": ADMIN_USER, "password": ADMIN_PASSWORD, "csrfmiddlewaretoken": csrf.value, "next": "/admin/"}
    form = "&".join(f"{name}={value}" for name, value in login.items()).encode()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={csrf.value}",
        "Origin": HTTPS,
        "Referer": f"{HTTPS}/admin/login/?next=/admin/",
    }
    status_p, headers_p, _body = via_nginx("/admin/login/?next=/admin/", method="POST", body=form, headers=headers)
    session = cookies(headers_p).get("sessionid")
    status_h = via_nginx("/admin/", headers={"Cookie": f"sessionid={session.value}"})[0] if session else None
    results.append(
        (
            status_a == 302
            and headers_a.get("Location", "").startswith("/admin/login/")
            and bool(csrf["secure"])
            and status_p == 302
            and headers_p.get("Location") == "/admin/"
            and bool(session and session["secure"])
            and status_h == 200,
            "admin over https: login redirect, CSRF, POST login",
            f"/admin/: {status_a} to {headers_a.get('Location')}; csrftoken Secure: {bool(csrf['secure'])}; "
            f"POST login: {status_p} to {headers_p.get('Location')}, sessionid Secure: "
            f"{bool(session and session['secure'])}; /admin/ with it: {status_h}",
        )
    )
    return {
        "Cookie": f"csrftoken={csrf.value}; sessionid={session.value}" if session else "",
        "X-CSRFToken": csrf.value,
        "Origin": HTTPS,
    }


def check_gzip(results):
    path = probe(PAGE, "gzip")
    status_z, headers_z, zipped = via_nginx(path, headers={"Accept-Encoding": "gzip"})
    status_p, headers_p, plain = via_nginx(path)
    # As a request that came through a CDN or another proxy (gzip_proxied).
    _status, headers_v, via_proxy = via_nginx(path, headers={"Accept-Encoding": "gzip", "Via": "1.1 cdn.example"})
    vary = ", ".join(headers_z.get_all("Vary") or [])
    same = all(
        answer.get("Content-Encoding") == "gzip" and gzip.decompress(body) == plain
        for answer, body in ((headers_z, zipped), (headers_v, via_proxy))
    )
    results.append(
        (
            status_z == status_p == 200
            and same
            and "accept-encoding" in vary.lower()
            and not headers_p["Content-Encoding"],
            "HTML compressed by nginx",
            f"{PAGE}: Content-Encoding {headers_z.get('Content-Encoding')}, Vary: {vary}; {len(zipped)} bytes "
            f"gzipped ({len(via_proxy)} with a Via header), {len(plain)} without Accept-Encoding "
            f"({len(zipped) / len(plain):.0%}); decompressed equal: {same}",
        )
    )


def check_upload_limit(results, app_log, session, film_id):
    limit = body_limit()
    over = via_nginx(probe("/admin/login/", "over"), method="POST", body=bytes(limit + 1024), headers=session)
    under = via_nginx(probe("/admin/login/", "under"), method="POST", body=bytes(limit - 1024), headers=session)
    png = big_png(IMAGE_MAX_BYTES)
    form, content_type = encode_multipart_formdata(
        {"film": str(film_id), "kind": "still", "order": "0", "image": (f"nginx-probe-{RUN}.png", png, "image/png")}
    )
    upload = via_nginx(
        probe("/admin/films/filmimage/add/", "upload"),
        method="POST",
        body=form,
        headers={**session, "Content-Type": content_type},
    )
    app_log.settle()
    results.append(
        (
            over[0] == 413 and not app_log.lines("over"),
            f"a POST over client_max_body_size ({limit} bytes) gets 413 from nginx",
            f"{limit + 1024} bytes: {over[0]} (Server: {over[1].get('Server')}); gunicorn log: {app_log.lines('over')}",
        )
    )
    results.append(
        (
            under[0] != 413 and len(app_log.lines("under")) == 1,
            "a POST under it reaches the app",
            f"{limit - 1024} bytes: {under[0]}; gunicorn log: {app_log.lines('under')}",
        )
    )
    results.append(
        (
            upload[0] == 302 and upload[1].get("Location") == "/admin/films/filmimage/",
            "an image at the app's limit uploads through the admin",
            f"{len(png)} bytes PNG (limit {IMAGE_MAX_BYTES}), {len(form)} bytes form: {upload[0]} to "
            f"{upload[1].get('Location')}",
        )
    )


def require_free_ports():
    """Refuse to start when another server holds one of the ports: its answers would be taken for ours."""
    for port in (APP_PORT, HTTP_PORT, HTTPS_PORT):
        with socket.socket() as probe_socket:
            if probe_socket.connect_ex(("127.0.0.1", port)) == 0:
                sys.exit(f"127.0.0.1:{port} is in use; choose free ports with NGINX_BENCH_PORTS=app,http,https")


def main():
    for tool in ("nginx", "openssl"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is not installed: scripts/setup --dev installs it (Debian package {tool}).")
    require_free_ports()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))  # so that the cleanup below runs
    started = time.monotonic()
    with ExitStack() as stack:
        tmp = Path(tempfile.mkdtemp(prefix="festival-nginx-"))
        stack.callback(shutil.rmtree, tmp, ignore_errors=True)
        tmp.chmod(0o755)  # nginx's workers run as nobody when it is started by root
        static_root = tmp / "static"
        env = production_env(
            os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/festival_nginx"),
            CACHE_URL=os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/12"),
            WEB_CONCURRENCY=os.environ.get("WEB_CONCURRENCY", "2"),
            STATIC_ROOT=static_root,
            MEDIA_ROOT=MEDIA_ROOT,
            BEHIND_HTTPS_PROXY="true",
            FESTIVAL_SERVE_MEDIA="false",
            SECURE_COOKIES="true",
        )
        ensure_demo(env)  # migrates, builds the demo if missing, collects the static files into STATIC_ROOT
        image_name, film_id = demo_image(env)
        ensure_admin(env, ADMIN_USER, ADMIN_PASSWORD)
        cert, key = self_signed_certificate(tmp)
        TLS.load_verify_locations(cert)
        site_config(tmp, static_root, cert, key)
        print(f"prepared in {time.monotonic() - started:.1f} s; nginx {nginx_version()}")
        started = time.monotonic()

        app_log = AppLog(tmp / "gunicorn-access.log")
        app_log.path.touch()
        gunicorn = Gunicorn(env, APP_PORT)
        gunicorn.env["GUNICORN_ACCESS_LOG"] = str(app_log.path)
        stack.enter_context(gunicorn)
        stack.enter_context(Nginx(tmp))
        stack.callback(remove_uploads, env)
        results = []
        check_static_and_media(results, static_root, image_name, app_log)
        session = check_forwarded_proto(results)
        check_gzip(results)
        check_upload_limit(results, app_log, session, film_id)

    print(f"checked in {time.monotonic() - started:.1f} s (nginx and gunicorn stopped)")
    for met, label, evidence in results:
        print(f"{'met    ' if met else 'MISSED '} {label}\n          {evidence}")
    sys.exit(0 if all(met for met, _label, _evidence in results) else 1)


def nginx_version():
    return subprocess.run(["nginx", "-v"], capture_output=True, text=True, timeout=10).stderr.strip()  # noqa: S607


if __name__ == "__main__":
    main()
