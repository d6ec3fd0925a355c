"""Submit an admin change form as a browser would: every field as the page shows it, plus changes."""
from html.parser import HTMLParser


class _FormFields(HTMLParser):
    """The values a browser would send for the form ``form_id``: inputs, checked boxes, selected
    options, text areas (file inputs send nothing unless the test gives a file)."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.select, self.textarea = form_id, False, None, None
        self.data: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or attrs.get("disabled") is not None:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("file", "submit", "button", "image"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.data.append((name, attrs.get("value", "on" if attrs.get("type") == "checkbox" else "")))
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.data.append((self.select, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self.textarea = name
            self.data.append((name, ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            name, text = self.data.pop()
            self.data.append((name, text + data.lstrip("\n") if not text else text + data))


def change_form_data(html: str, form_id: str, **changes) -> dict:
    """The form's data as a dict of lists (for the test client), with ``changes`` replacing fields."""
    parser = _FormFields(form_id)
    parser.feed(html)
    data: dict[str, list[str] | object] = {}
    for name, value in parser.data:
        data.setdefault(name, []).append(value)
    data.update(changes)
    return data
