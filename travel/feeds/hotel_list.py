"""The Hotel List feed: <listings> with one <listing> per active property (no prices)."""
from xml.etree import ElementTree as ET

from catalogue.models import Property
from travel.feeds.xml import sub, to_bytes
from travel.seo import absolute_url

XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA = "http://www.gstatic.com/localfeed/local_feed.xsd"


def feed_property_id(prop: Property) -> str:
    """The id Google knows a property by: its primary key, stable across slug renames."""
    return str(prop.pk)


def hotel_list_build() -> bytes:
    ET.register_namespace("xsi", XSI)
    root = ET.Element("listings", {f"{{{XSI}}}noNamespaceSchemaLocation": SCHEMA})
    sub(root, "language", "en")
    hotels = Property.objects.filter(is_active=True).prefetch_related("amenities").order_by("pk")
    for prop in hotels:
        listing = sub(root, "listing")
        sub(listing, "id", feed_property_id(prop))
        sub(listing, "name", prop.name)
        address = sub(listing, "address", format="simple")
        sub(address, "component", prop.street_address, name="addr1")
        sub(address, "component", prop.locality, name="city")
        if prop.region:
            sub(address, "component", prop.region, name="province")
        if prop.postal_code:
            sub(address, "component", prop.postal_code, name="postal_code")
        sub(listing, "country", prop.country_code)
        sub(listing, "latitude", f"{prop.latitude:.6f}")
        sub(listing, "longitude", f"{prop.longitude:.6f}")
        if prop.phone:
            sub(listing, "phone", prop.phone, type="main")
        sub(listing, "category", "hotel")
        content = sub(listing, "content")
        text = sub(content, "text", type="description")
        sub(text, "link", absolute_url(prop.get_absolute_url()))
        sub(text, "title", prop.name)
        sub(text, "body", prop.description or prop.summary)
        attributes = sub(content, "attributes")
        sub(attributes, "website", absolute_url(prop.get_absolute_url()))
        sub(attributes, "client_attr", prop.star_rating, name="rating")
        for amenity in prop.amenities.all():
            sub(attributes, "client_attr", amenity.name, name="amenity")
    return to_bytes(root)
