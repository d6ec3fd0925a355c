"""Append-only records: logs and ledgers whose rows are written once and never changed or removed
(a booking's event log, the loyalty ledger). A correction is a new row, never an edit.

    class Entry(AppendOnlyModel):
        append_only_hint = "add a reversing entry instead"
        objects = AppendOnlyQuerySet.as_manager()

The model refuses ``save()`` of an existing row and ``delete()``; the queryset refuses bulk
``update()`` and ``delete()``. (`core.append_only_trigger` adds a PostgreSQL trigger behind this, for
the rewards and the credit ledgers.)
"""
from django.db import models


class AppendOnly(ValueError):
    """Code tried to change or remove a row of an append-only record."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly(f"{self.model._meta.verbose_name_plural} are append-only: {self.model.append_only_hint}.")

    def delete(self):
        raise AppendOnly(f"{self.model._meta.verbose_name_plural} are append-only: {self.model.append_only_hint}.")


class AppendOnlyModel(models.Model):
    append_only_hint = "add a new row instead"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly(f"{self._meta.verbose_name_plural} are append-only: {self.append_only_hint}.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly(f"{self._meta.verbose_name_plural} are append-only: {self.append_only_hint}.")
