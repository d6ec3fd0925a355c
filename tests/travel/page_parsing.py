"""Read a page the way a crawler does: head tags, JSON-LD scripts and schema.org Microdata."""
import json
from html.parser import HTMLParser


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.metas: list[dict] = []
        self.links: list[dict] = []
        self.title = ""
        self.json_ld: list = []
        self.items: list[dict] = []  # top-level microdata items
        self._stack: list[tuple[str, dict | None]] = []  # (tag, item opened by this tag)
        self._in_title = False
        self._script: list[str] | None = None
        self._text_prop: tuple[dict, str, list[str]] | None = None

    def _current_item(self):
        for _tag, item in reversed(self._stack):
            if item is not None:
                return item
        return None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta":
            self.metas.append(a)
        if tag == "link":
            self.links.append(a)
        if tag == "title":
            self._in_title = True
        if tag == "script" and a.get("type") == "application/ld+json":
            self._script = []
        parent = self._current_item()
        new_item = None
        if "itemscope" in a:
            new_item = {"type": a.get("itemtype", ""), "props": {}}
            if "itemprop" in a and parent is not None:
                parent["props"].setdefault(a["itemprop"], []).append(new_item)
            else:
                self.items.append(new_item)
        elif "itemprop" in a and parent is not None:
            value = a.get("content") or a.get("href") or a.get("src")
            if value is not None:
                parent["props"].setdefault(a["itemprop"], []).append(value)
            elif tag not in ("meta", "link", "img"):
                self._text_prop = (parent, a["itemprop"], [])
        if tag not in ("meta", "link", "img", "input", "br"):
            self._stack.append((tag, new_item))

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        if tag == "script" and self._script is not None:
            self.json_ld.append(json.loads("".join(self._script)))
            self._script = None
        if self._text_prop is not None:
            item, prop, parts = self._text_prop
            item["props"].setdefault(prop, []).append("".join(parts).strip())
            self._text_prop = None
        while self._stack:
            open_tag, _ = self._stack.pop()
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if self._script is not None:
            self._script.append(data)
        if self._text_prop is not None:
            self._text_prop[2].append(data)


class Page:
    def __init__(self, html: str):
        parser = _PageParser()
        parser.feed(html)
        parser.close()
        self.html = html
        self.title = parser.title.strip()
        self.json_ld = parser.json_ld
        self.items = parser.items
        self._metas = parser.metas
        self._links = parser.links

    def meta(self, key: str) -> str | None:
        for m in self._metas:
            if m.get("name") == key or m.get("property") == key:
                return m.get("content")
        return None

    def link(self, rel: str) -> str | None:
        for link in self._links:
            if link.get("rel") == rel:
                return link.get("href")
        return None

    def ld_of_type(self, type_name: str) -> list[dict]:
        return [doc for doc in self.json_ld if doc.get("@type") == type_name]

    def items_of_type(self, type_url: str) -> list[dict]:
        found = []

        def walk(items):
            for item in items:
                if item["type"] == type_url:
                    found.append(item)
                for values in item["props"].values():
                    walk([v for v in values if isinstance(v, dict)])

        walk(self.items)
        return found


def parse(response) -> Page:
    return Page(response.content.decode())
