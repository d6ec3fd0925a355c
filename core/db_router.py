"""Catalogue reads from a PostgreSQL read replica (active only when DATABASE_REPLICA_URL is set).

The catalogue (destinations, properties, room types, content, photos) is most of what public
pages read and changes rarely, so its reads go to the ``replica`` database; every write, and
every read of other apps (inventory, bookings, payments: where a stale read could sell a room
twice or lose money), stays on the primary. A replica lags by its replication delay: a page may
show a catalogue edit a moment late. Migrations run on the primary only.
"""
REPLICA = "replica"
REPLICA_APPS = frozenset({"catalogue"})


class CatalogueReplicaRouter:
    def db_for_read(self, model, **hints):
        return REPLICA if model._meta.app_label in REPLICA_APPS else None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: objects from either may relate

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA
