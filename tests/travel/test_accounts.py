import pytest
from django.contrib.auth import get_user_model


@pytest.mark.django_db
def test_a_traveller_signs_up_and_is_signed_in(client):
    response = client.post(
        "/accounts/signup/",
        {"username": "mai", "email": "mai@example.com", "password1": "lantern-river-42", "password2": "lantern-river-42"},
    )

    assert response.status_code == 302
    assert get_user_model().objects.filter(username="mai").exists()
    assert "Sign out mai" in client.get("/").content.decode()


@pytest.mark.django_db
def test_signup_with_mismatched_passwords_shows_the_error_and_creates_nothing(client):
    response = client.post(
        "/accounts/signup/",
        {"username": "mai", "email": "mai@example.com", "password1": "lantern-river-42", "password2": "other-42x"},
    )

    assert response.status_code == 200
    assert "didn’t match" in response.content.decode() or "didn&#x27;t match" in response.content.decode()
    assert not get_user_model().objects.filter(username="mai").exists()


@pytest.mark.django_db
def test_signup_ignores_an_offsite_next_url(client):
    response = client.post(
        "/accounts/signup/",
        {"username": "mai", "email": "", "password1": "lantern-river-42", "password2": "lantern-river-42",
         "next": "https://evil.example/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/"
