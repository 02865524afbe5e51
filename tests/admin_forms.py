"""What a browser posts from an admin page's form, read from the page itself."""

from html.parser import HTMLParser


class FormData(HTMLParser):
    """What a browser would post from the admin's change form: its inputs, selects and textareas."""

    def __init__(self):
        super().__init__()
        self.data = {}
        self.in_form = False
        self.select = None
        self.textarea = None

    def add(self, name, value):
        if "__prefix__" in name:
            return
        if name in self.data:
            existing = self.data[name]
            self.data[name] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            self.data[name] = value

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("id") or "").endswith("_form"):
            self.in_form = True
        if not self.in_form or "disabled" in a:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            self.add(a["name"], a.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select" and a.get("name"):
            self.select = a["name"]
            if "multiple" in a:
                self.data.setdefault(self.select, [])
        elif tag == "option" and self.select and "selected" in a:
            self.add(self.select, a.get("value", ""))
        elif tag == "textarea" and a.get("name"):
            self.textarea = a["name"]
            self.add(self.textarea, "")

    def handle_data(self, data):
        if self.textarea and self.textarea in self.data:
            self.data[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def form_data(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    parser = FormData()
    parser.feed(response.content.decode())
    data = parser.data
    data.pop("csrfmiddlewaretoken", None)
    if data.get("_selected_action") is not None:
        raise AssertionError("not a change form")
    for key, value in list(data.items()):
        if isinstance(value, str) and value.startswith("\n"):
            data[key] = value[1:]  # A textarea's first newline is not part of its value.
    data["_save"] = "Save"
    return data
