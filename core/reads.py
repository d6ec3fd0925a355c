"""One row and the rows its foreign keys lead to, read by primary key (or another unique field)
without the ORM's query compiler, for the hottest read paths.

``Model.objects.select_related("a__b").get(pk=…)`` compiles its SELECT (every column of every
model on the path, the joins) on every call; on the placing path that cost more CPU than
PostgreSQL spent running it. ``get_along(RoomType, pk, "property__destination")`` sends the same
kind of SELECT with a text built once per model, path and database, and returns what the ORM
returns: instances made by ``Model.from_db``, every value converted as the ORM converts it, each
related instance cached on the one that points to it (``room_type.property.destination`` reads
nothing more). ``get_along(Coin, "BTC", by="code")`` reads by a unique field instead. It reads from
the database the routers give for the model (the catalogue's replica, when one is set), as the
ORM would.
"""
from functools import lru_cache
from typing import NamedTuple

from django.db import connections, router
from django.db.models import Model


class _Step(NamedTuple):
    """One model on the path: its concrete fields in the SELECT's order, their columns as
    expressions, the converters of the columns that have any ((index, column, converters), as the
    ORM's compiler lists them once per query), and the foreign key that led to it."""

    model: type[Model]
    attnames: tuple[str, ...]
    columns: tuple
    converters: tuple
    pk_position: int
    via: object  # the ForeignKey on the previous step's model; None for the first


@lru_cache(maxsize=64)
def _plan(model: type[Model], path: str, alias: str, by: str) -> tuple[str, tuple[_Step, ...]]:
    """(SQL, steps) for reading ``model`` by its unique field ``by`` along ``path`` on database ``alias``."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    steps, joins = [], []
    current, via = model, None
    for depth, name in enumerate([None, *(path.split("__") if path else ())]):
        if name is not None:
            via = current._meta.get_field(name)
            if not via.many_to_one:
                raise ValueError(f"{current.__name__}.{name} is not a foreign key")
            current = via.related_model
            joins.append(f"LEFT OUTER JOIN {quote(current._meta.db_table)} t{depth} "
                         f"ON t{depth}.{quote(via.target_field.column)} = t{depth - 1}.{quote(via.column)}")
        fields = current._meta.concrete_fields
        attnames = tuple(f.attname for f in fields)
        columns = tuple(f.get_col(f"t{depth}") for f in fields)
        steps.append(_Step(current, attnames, columns, _converters(columns, connection),
                           attnames.index(current._meta.pk.attname), via))
    selected = ", ".join(f"{column.alias}.{quote(column.target.column)}" for step in steps for column in step.columns)
    sql = (f"SELECT {selected} FROM {quote(model._meta.db_table)} t0 {' '.join(joins)} "
           f"WHERE t0.{quote(_key_field(model, by).column)} = %s")
    return sql, tuple(steps)


def _key_field(model: type[Model], by: str):
    field = model._meta.pk if by == "pk" else model._meta.get_field(by)
    if not field.unique:
        raise ValueError(f"{model.__name__}.{by} is not unique")
    return field


def get_along(model: type[Model], key, path: str = "", *, by: str = "pk") -> Model:
    """The ``model`` row whose ``by`` (the primary key, or another unique field) is ``key``, with the
    rows ``path`` (foreign keys joined by ``__``) leads to cached on it, as
    ``select_related(path).get(**{by: key})`` returns it; raises ``model.DoesNotExist`` when there
    is none."""
    alias = router.db_for_read(model)
    connection = connections[alias]
    sql, steps = _plan(model, path, alias, by)
    with connection.cursor() as cursor:
        cursor.execute(sql, [_key_field(model, by).get_db_prep_value(key, connection)])
        row = cursor.fetchone()
    if row is None:
        raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
    instances, start = [], 0
    for step in steps:
        values = _converted(row[start:start + len(step.columns)], step.converters, connection)
        start += len(step.columns)
        instance = None if values[step.pk_position] is None else step.model.from_db(alias, step.attnames, values)
        if step.via is not None:
            if instances[-1] is None:
                break
            step.via.set_cached_value(instances[-1], instance)
        instances.append(instance)
    return instances[0]


def _converters(columns, connection) -> tuple:
    """(index, column, the backend's and the field's converters) for each column that has any:
    worked out once per plan, as the compiler does once per query."""
    found = []
    for index, column in enumerate(columns):
        converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if converters:
            found.append((index, column, tuple(converters)))
    return tuple(found)


def _converted(values, converters, connection) -> list:
    """``values`` as the ORM's compiler hands them to ``from_db``: each through its converters."""
    converted = list(values)
    for index, column, column_converters in converters:
        for converter in column_converters:
            converted[index] = converter(converted[index], column, connection)
    return converted
