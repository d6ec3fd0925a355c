import pytest
from django.contrib.auth import get_user_model

PASSWORD = "lantern-river-42"


def sign_up(client, **overrides):
    form = {"username": "mai", "email": "mai@example.com", "password1": PASSWORD, "password2": PASSWORD}
    return client.post("/accounts/signup/", {**form, **overrides})


def user_exists(username="mai") -> bool:
    return get_user_model().objects.filter(username=username).exists()


@pytest.mark.django_db
def test_a_traveller_signs_up_and_is_signed_in(client):
    response = sign_up(client)

    assert response.status_code == 302
    assert user_exists()
    assert "Sign out mai" in client.get("/").content.decode()


@pytest.mark.django_db
def test_signup_with_mismatched_passwords_shows_the_error_and_creates_nothing(client):
    response = sign_up(client, password2="other-42x")

    assert response.status_code == 200
    assert "password2" in response.context["form"].errors
    assert not user_exists()


@pytest.mark.django_db
def test_signup_ignores_an_offsite_next_url(client):
    response = sign_up(client, next="https://evil.example/")

    assert response.status_code == 302
    assert response["Location"] == "/"
