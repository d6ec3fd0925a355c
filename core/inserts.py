"""One INSERT of a model instance without the ORM's query compiler, for the hottest write paths.

Django compiles an INSERT statement on every ``save()``; on the placing path compiling the
booking's, invoice's, event's and key claim's INSERTs cost more CPU than PostgreSQL spent running
them. ``insert_row(obj)`` writes the row ``obj.save(force_insert=True)`` would write (every
concrete field, ``auto_now``/``auto_now_add`` filled in, values prepared by each field as Django
prepares them) with a statement built once per model, and sets the primary key.

What it does not do, so use it only where none of it matters: send ``pre_save``/``post_save``
(the models it is used on have no receivers) or call an overridden ``save()``.
"""
from functools import cache

from django.db import connection
from django.db.models import Model


@cache
def _insert_statement(model: type[Model], vendor: str) -> tuple[str, tuple]:
    """(SQL, the fields whose values it takes, in order) for ``model`` on ``vendor``."""
    fields = tuple(f for f in model._meta.concrete_fields if not f.primary_key or not f.db_returning)
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {quote(model._meta.pk.column)}")
    return sql, fields


def insert_row(obj: Model) -> Model:
    """INSERT ``obj`` as a new row and give it its primary key; returns ``obj``."""
    sql, fields = _insert_statement(type(obj), connection.vendor)
    values = [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        obj.pk = cursor.fetchone()[0]
    obj._state.adding, obj._state.db = False, connection.alias
    return obj
