# Varnish 7 (Debian: varnish, varnish-modules) in front of festival's gunicorn: see docs/production.md,
# "Varnish in front". bench/varnish.py runs it on 127.0.0.1 with its own backend port (it rewrites `.port`).
#
# - Anonymous public pages are cached for the app's `s-maxage`; `stale-while-revalidate` is the grace in which
#   a stale copy is served while a fresh one is fetched in the background.
# - The app's `Surrogate-Key` header becomes xkey's index; after a save the app sends
#   `PURGE /` with `xkey-purge: <keys>` (FESTIVAL_PURGE_URLS) and every page carrying one of them is removed.
# - `stale-if-error`: the copy is kept that much longer and served when the backend answers 5xx or is down.
# - The admin, logged-in users (sessionid or csrftoken cookie) and anything but GET/HEAD go to the app.
vcl 4.1;

import std;
import xkey;

backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
}

# Who may purge: the app on this machine.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    # X-Festival-Stale is this VCL's own state across restarts ("fetch", then "serve"); never a client's.
    if (req.restarts == 0) {
        unset req.http.X-Festival-Stale;
    }
    unset req.http.X-Festival-Fetched;
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "PURGE needs an xkey-purge header"));
        }
        # A hard purge: the objects are gone, the next request fetches the page from the app.
        set req.http.X-Purged = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.X-Purged + " objects"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.url ~ "^/admin(/|$)" || req.http.Cookie ~ "(^|;\s*)(sessionid|csrftoken)=") {
        return (pass);
    }
    # Anonymous: no cookie the app reads, so none that would make the page uncacheable.
    unset req.http.Cookie;
    if (req.http.X-Festival-Stale == "fetch") {
        # The copy is older than its stale-while-revalidate: do not serve it, fetch in the foreground
        # (a conditional request when the copy has an ETag).
        set req.grace = 0s;
    } elsif (req.http.X-Festival-Stale == "serve") {
        # The app failed: any copy still in the cache will do (a restart keeps req.grace; lift it again).
        set req.grace = 3650d;
    }
    # Then Varnish's built-in vcl_recv (Host, Authorization).
}

sub vcl_hit {
    if (obj.ttl < 0s && req.http.X-Festival-Stale != "serve"
        && obj.ttl + std.duration(obj.http.X-Festival-SWR, 0s) <= 0s) {
        # Kept only for stale-if-error: try the app first (Varnish 7 has no return (miss) here).
        set req.http.X-Festival-Stale = "fetch";
        return (restart);
    }
}

sub vcl_miss {
    set req.http.X-Festival-Fetched = "1";
}

sub vcl_pass {
    set req.http.X-Festival-Fetched = "1";
}

sub vcl_backend_fetch {
    unset bereq.http.X-Festival-Fetched;
}

sub vcl_backend_response {
    if ((beresp.status >= 500 || beresp.http.X-Page-Cache == "stale")
        && (bereq.is_bgfetch || bereq.http.X-Festival-Stale == "fetch")) {
        # A stale copy exists: keep it and serve it (vcl_synth) rather than this error, or than the app's own last
        # copy (X-Page-Cache: stale, s-maxage=0: the database is down), which would replace it.
        return (abandon);
    }
    if (beresp.status >= 500) {
        set beresp.ttl = 0s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    set beresp.http.xkey = beresp.http.Surrogate-Key;
    if (beresp.http.Set-Cookie || beresp.http.Cache-Control ~ "(?i)(private|no-store|no-cache)") {
        set beresp.ttl = 120s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    if (!beresp.http.Surrogate-Key && beresp.http.Cache-Control !~ "(?i)max-age=" && !beresp.http.Expires) {
        # The app said nothing about caching and no purge could reach it: not cached (no default TTL).
        set beresp.ttl = 120s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    # beresp.ttl is s-maxage (or max-age); beresp.grace is stale-while-revalidate. Remember the latter, and
    # keep the object for stale-if-error when that is longer.
    set beresp.http.X-Festival-SWR = beresp.grace + "s";
    if (beresp.http.Cache-Control ~ "(?i)stale-if-error=[0-9]+") {
        set beresp.http.X-Festival-SIE =
            regsub(beresp.http.Cache-Control, "(?i)^.*stale-if-error=([0-9]+).*$", "\1") + "s";
        if (std.duration(beresp.http.X-Festival-SIE, 0s) > beresp.grace) {
            set beresp.grace = std.duration(beresp.http.X-Festival-SIE, 0s);
        }
        unset beresp.http.X-Festival-SIE;
    }
    # And an hour more, for a conditional request (If-None-Match) once even that ran out.
    set beresp.keep = 1h;
}

sub vcl_backend_error {
    if (bereq.is_bgfetch || bereq.http.X-Festival-Stale == "fetch") {
        # The app is down and a stale copy exists.
        return (abandon);
    }
}

sub vcl_synth {
    if (resp.status == 503 && req.http.X-Festival-Stale == "fetch") {
        # The fetch was abandoned (5xx or app down): serve the copy kept for stale-if-error.
        set req.http.X-Festival-Stale = "serve";
        return (restart);
    }
    if (req.method == "PURGE") {
        set resp.http.Content-Type = "text/plain; charset=utf-8";
        set resp.body = resp.reason + {"
"};
        return (deliver);
    }
}

sub vcl_deliver {
    # A MISS went to the app (a page revalidated with a 304 too); a HIT did not wait for it (a stale page neither).
    if (req.http.X-Festival-Fetched) {
        set resp.http.X-Cache = "MISS";
    } else {
        set resp.http.X-Cache = "HIT";
    }
    unset resp.http.xkey;
    unset resp.http.Surrogate-Key;
    unset resp.http.X-Festival-SWR;
}
