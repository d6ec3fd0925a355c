"""Public pages. Views only translate HTTP: parse the query, read through selectors, render."""
from travel.views.pages.catalogue import deals, destination, home, hotel
from travel.views.pages.errors import page_not_found, server_error
from travel.views.pages.favicon import favicon
from travel.views.pages.robots import robots_txt

__all__ = ["deals", "destination", "favicon", "home", "hotel", "page_not_found", "robots_txt", "server_error"]
