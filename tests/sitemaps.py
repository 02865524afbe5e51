"""Reading the sitemap as a crawler does: the index at /sitemap.xml, then every page of every part it lists."""

import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}


def get_xml(client, url):
    """The parsed XML at ``url`` (absolute or a path); it must answer 200 as XML."""
    address = urlsplit(url)
    path = f"{address.path}?{address.query}" if address.query else address.path
    response = client.get(path)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Type"] == "application/xml"
    return ET.fromstring(response.content)  # noqa: S314 - our own response


def index_locations(client):
    """The addresses the index lists, in order."""
    return [sitemap.find("s:loc", NS).text for sitemap in get_xml(client, "/sitemap.xml").findall("s:sitemap", NS)]


def sitemap_pages(client):
    """``{address: parsed <urlset>}`` of every page the index lists, in its order."""
    return {location: get_xml(client, location) for location in index_locations(client)}


def sitemap_urls(client):
    """Every ``<url>`` element of every page, in the index's order."""
    return [url for root in sitemap_pages(client).values() for url in root.findall("s:url", NS)]


def sitemap_locations(client):
    """Every ``<loc>`` of every page, in the index's order."""
    return [url.find("s:loc", NS).text for url in sitemap_urls(client)]


def sitemap_text(client):
    """The index and every page it lists, as one text (to look for an address in)."""
    texts = [client.get("/sitemap.xml").content.decode()]
    for location in index_locations(client):
        address = urlsplit(location)
        texts.append(client.get(f"{address.path}?{address.query}").content.decode())
    return "\n".join(texts)
