from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    """Destinations, properties, room types and their content: the lowest domain layer."""

    name = "catalogue"
    verbose_name = "Catalogue"
