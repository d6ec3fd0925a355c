"""A decimal column that keeps every digit on every database.

PostgreSQL's numeric is exact. SQLite (the embedded mode) has no decimal type: a "decimal"
column keeps only 15 significant digits, which would cut an ETH amount (18 decimals) short. On
SQLite this field is stored as text and read back as an exact Decimal; elsewhere it is the
ordinary numeric(max_digits, decimal_places).
"""
from decimal import Decimal

from django.db import models


class ExactDecimalField(models.DecimalField):
    def get_internal_type(self):
        # Not "DecimalField": SQLite's converter for that type goes through float.
        return "ExactDecimalField"

    def db_type(self, connection):
        if connection.vendor == "sqlite":
            return "text"
        return connection.data_types["DecimalField"] % {"max_digits": self.max_digits,
                                                        "decimal_places": self.decimal_places}

    def get_db_prep_value(self, value, connection, prepared=False):
        value = super().get_db_prep_value(value, connection, prepared)
        if connection.vendor == "sqlite" and value is not None:
            return f"{Decimal(value).quantize(Decimal(1).scaleb(-self.decimal_places)):f}"
        return value

    def from_db_value(self, value, expression, connection):
        if value is None or isinstance(value, Decimal):
            return value
        return Decimal(str(value))
