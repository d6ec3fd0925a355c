"""One INSERT of a model instance without the ORM's query compiler, for the hottest write paths.

Django compiles an INSERT statement on every ``save()``; on the placing path compiling the
booking's, invoice's, event's and key claim's INSERTs cost more CPU than PostgreSQL spent running
them. ``insert_row(obj)`` writes the row ``obj.save(force_insert=True)`` would write (every
concrete field, ``auto_now``/``auto_now_add`` filled in, values prepared by each field as Django
prepares them) with a statement built once per model, and sets the primary key; ``insert_rows``
does the same for several instances of one model in one statement (built once per model and
number of rows). ``update_row(obj, fields)`` writes named fields of a saved instance back to its row
the same way (what ``obj.save(update_fields=fields)`` sends, without compiling an UPDATE).

What it does not do, so use it only where none of it matters: send ``pre_save``/``post_save``
(the models it is used on have no receivers), call an overridden ``save()``, or fill in
``auto_now`` fields on an update.
"""
from functools import lru_cache

from django.db import connection
from django.db.models import Model


@lru_cache(maxsize=256)
def _insert_statement(model: type[Model], vendor: str, rows: int = 1) -> tuple[str, tuple]:
    """(SQL, the fields whose values it takes for each row, in order) for ``rows`` rows of
    ``model`` on ``vendor``."""
    fields = tuple(f for f in model._meta.concrete_fields if not f.primary_key or not f.db_returning)
    quote = connection.ops.quote_name
    one_row = f"({', '.join(['%s'] * len(fields))})"
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES {', '.join([one_row] * rows)} RETURNING {quote(model._meta.pk.column)}")
    return sql, fields


def insert_row(obj: Model) -> Model:
    """INSERT ``obj`` as a new row and give it its primary key; returns ``obj``."""
    return insert_rows([obj])[0]


def insert_rows(objs: list[Model]) -> list[Model]:
    """INSERT ``objs`` (instances of one model) as new rows in one statement and give each its
    primary key, in order (where ``bulk_create`` would compile its INSERT every time); returns
    ``objs``."""
    if not objs:
        return objs
    sql, fields = _insert_statement(type(objs[0]), connection.vendor, len(objs))
    values = [field.get_db_prep_save(field.pre_save(obj, True), connection) for obj in objs for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        keys = [row[0] for row in cursor.fetchall()]
    for obj, key in zip(objs, keys, strict=True):  # in the order of VALUES, as bulk_create relies on too
        obj.pk = key
        obj._state.adding, obj._state.db = False, connection.alias
    return objs


@lru_cache(maxsize=256)
def _update_statement(model: type[Model], vendor: str, names: tuple[str, ...]) -> tuple[str, tuple]:
    """(SQL, the fields whose values it takes, in order) that sets ``names`` of one row of ``model``."""
    fields = tuple(model._meta.get_field(name) for name in names)
    quote = connection.ops.quote_name
    sql = (f"UPDATE {quote(model._meta.db_table)} SET {', '.join(f'{quote(f.column)} = %s' for f in fields)} "
           f"WHERE {quote(model._meta.pk.column)} = %s")
    return sql, fields


def update_row(obj: Model, fields: tuple[str, ...]) -> None:
    """Write ``fields`` of ``obj`` (a saved instance) to its row, in one UPDATE built once."""
    sql, model_fields = _update_statement(type(obj), connection.vendor, tuple(fields))
    values = [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in model_fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, obj.pk])
