"""Every registered admin, asked for an object by an id that cannot be one: a page or a redirect
with a message, never a 500. A new admin is covered automatically (``admin.site._registry``)."""
import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import UserFactory

REGISTRY = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
MALFORMED_IDS = ["abc", "-1", "99999999999999999999999", "1.5", "١٢"]


@pytest.mark.django_db
@pytest.mark.parametrize("model, model_admin", REGISTRY, ids=[model._meta.label for model, _ in REGISTRY])
def test_an_object_url_with_an_id_that_cannot_exist_is_never_a_500(client, model, model_admin):
    client.force_login(UserFactory(username="platform", is_staff=True, is_superuser=True))
    for view in ("change", "delete", "history"):
        for object_id in MALFORMED_IDS:
            path = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=[object_id])
            for method in (client.get, client.post):
                response = method(path)
                assert response.status_code < 500, f"{method.__name__.upper()} {path}: {response.status_code}"
