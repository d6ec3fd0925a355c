"""``{% photo_img picture url alt sizes=... width=... height=... %}``: the one <img> markup of a
catalogue photo (travel/partials/photo.html).

With a ``picture`` (an upload and its renditions): ``src`` is the narrowest rendition at least
``width`` px wide, ``srcset`` lists every rendition with its width, and ``width``/``height`` are
that rendition's real size (the browser reserves the right box). Without one: the legacy ``url``
(an external address or a drawing under /static/) at the ``width`` × ``height`` given.
Lazy and decoded off the main thread, except the ``eager`` one (the first gallery photo, which
is fetched at high priority).
"""
from django import template

register = template.Library()


@register.inclusion_tag("travel/partials/photo.html")
def photo_img(picture, url, alt, *, sizes, width, height, eager=False, css_class=""):
    tag = {"alt": alt, "eager": eager, "css_class": css_class, "src": url, "width": width, "height": height}
    if picture is not None and picture.renditions:
        shown = picture.rendition(int(width))
        tag.update(src=picture.url(int(width)), srcset=picture.srcset, sizes=sizes,
                   width=shown["width"], height=shown["height"])
    return tag
