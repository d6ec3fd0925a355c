import pytest

from tests.factories import PropertyFactory


@pytest.mark.django_db
def test_home_lists_destinations_with_hotel_counts(client):
    PropertyFactory(destination__name="Hoi An")

    response = client.get("/")

    assert response.status_code == 200
    assert "Hoi An" in response.content.decode()
    assert "1 hotel" in response.content.decode()


@pytest.mark.django_db
def test_unknown_page_is_a_real_404(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()
