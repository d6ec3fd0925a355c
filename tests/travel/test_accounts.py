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


@pytest.mark.django_db
@pytest.mark.parametrize("email, message", [("", "Enter your email address."),
                                            ("MAI@example.com", "An account already uses this email address")])
def test_signup_needs_an_email_address_no_other_account_uses(client, email, message):
    get_user_model().objects.create_user("first", "mai@example.com", PASSWORD)

    response = sign_up(client, email=email)

    assert response.status_code == 200 and message in response.content.decode()
    assert not user_exists()


def _link(message) -> str:
    return next(word for word in message.body.split() if word.startswith("http"))


def _path(link: str) -> str:
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


@pytest.mark.django_db
def test_a_forgotten_password_is_reset_through_the_emailed_link(client, mailoutbox):
    get_user_model().objects.create_user("mai", "mai@example.com", "old-lantern-42")
    assert "Forgot your password?" in client.get("/accounts/login/").content.decode()

    client.post("/accounts/password/reset/", {"email": "mai@example.com"})

    [message] = mailoutbox
    assert message.to == ["mai@example.com"] and "Reset your Lotus Trails password" in message.subject
    form = client.get(_path(_link(message)), follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert done.status_code == 302
    assert client.login(username="mai", password=PASSWORD)
    assert not client.login(username="mai", password="old-lantern-42")
    # the link works once
    assert "This link no longer works" in client.get(_path(_link(message)), follow=True).content.decode()


@pytest.mark.django_db
def test_a_signed_in_traveller_changes_their_password(client):
    user = get_user_model().objects.create_user("mai", "mai@example.com", "old-lantern-42")
    client.force_login(user)

    response = client.post("/accounts/password/change/", {"old_password": "old-lantern-42",
                                                          "new_password1": PASSWORD, "new_password2": PASSWORD})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_a_new_email_address_takes_effect_when_its_link_is_opened(client, mailoutbox):
    user = get_user_model().objects.create_user("mai", "mai@example.com", PASSWORD)
    client.force_login(user)

    asked = client.post("/accounts/", {"email": "mai.new@example.com", "password": PASSWORD}, follow=True)

    assert "We sent a link to mai.new@example.com" in asked.content.decode()
    user.refresh_from_db()
    assert user.email == "mai@example.com"  # not yet
    [message] = mailoutbox
    assert message.to == ["mai.new@example.com"]
    page = client.get(_path(_link(message)), follow=True)
    assert "Your email address is now mai.new@example.com" in page.content.decode()
    user.refresh_from_db()
    assert user.email == "mai.new@example.com"
    assert mailoutbox[-1].to == ["mai@example.com"] and "was changed" in mailoutbox[-1].subject
    # the same link cannot change it again (the address it was sent from is gone)
    assert client.get(_path(_link(message))).status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("body, message", [
    ({"email": "mai.new@example.com", "password": "wrong"}, "That is not your password."),
    ({"email": "taken@example.com", "password": PASSWORD}, "Another account uses this email address."),
    ({"email": "not-an-address", "password": PASSWORD}, "Enter a valid email address."),
])
def test_an_email_change_is_refused_with_a_reason_and_sends_nothing(client, mailoutbox, body, message):
    get_user_model().objects.create_user("other", "taken@example.com", PASSWORD)
    client.force_login(get_user_model().objects.create_user("mai", "mai@example.com", PASSWORD))

    response = client.post("/accounts/", body)

    assert response.status_code == 400 and message in response.content.decode() and not mailoutbox


@pytest.mark.django_db
def test_an_email_change_link_is_for_its_own_account_only_and_cannot_be_forged(client, mailoutbox):
    mai = get_user_model().objects.create_user("mai", "mai@example.com", PASSWORD)
    eve = get_user_model().objects.create_user("eve", "eve@example.com", PASSWORD)
    client.force_login(mai)
    client.post("/accounts/", {"email": "mai.new@example.com", "password": PASSWORD})
    link = _path(_link(mailoutbox[0]))

    client.force_login(eve)
    assert client.get(link).status_code == 400
    forged = link.rstrip("/")[:-3] + "abc/"
    client.force_login(mai)
    assert client.get(forged).status_code == 400
    eve.refresh_from_db()
    mai.refresh_from_db()
    assert (mai.email, eve.email) == ("mai@example.com", "eve@example.com")


@pytest.mark.django_db
def test_a_new_account_gets_its_email_address_when_the_emailed_link_is_opened(client, mailoutbox):
    sign_up(client)
    user = get_user_model().objects.get(username="mai")
    assert user.email == ""  # not verified yet: password resets cannot reach it
    client.post("/accounts/password/reset/", {"email": "mai@example.com"})
    [message] = mailoutbox
    assert message.to == ["mai@example.com"] and message.subject == "Confirm your email address"

    page = client.get(_path(_link(message)), follow=True)

    assert "Your email address is now mai@example.com" in page.content.decode()
    user.refresh_from_db()
    assert user.email == "mai@example.com" and len(mailoutbox) == 1  # nobody to tell of an old address
    client.post("/accounts/password/reset/", {"email": "mai@example.com"})
    assert "Reset your Lotus Trails password" in mailoutbox[-1].subject
