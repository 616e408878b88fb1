"""Weak passwords are refused with the reason; long unrelated phrases are accepted."""

from __future__ import annotations

import pytest

from motion.errors import InvalidInput
from motion.services import accounts, passwords
from tests.conftest import PASSWORD

WEAK = {
    "123456789012": "que de chiffres",
    "password1234": "plus courants",
    "motdepasse12": "plus courants",
    "azertyuiopqs": "rangée du clavier",
    "aaaaaaaaaaaa": "répète",
    "soleil2024!!": "plus courants",  # a common French one with digits and symbols around
    "qsdfghjklmwx": "rangée du clavier",  # the AZERTY home row
    "abcdefghijkl": "suite",
    "121212121212": "que de chiffres",
    "nicolasdupont": "votre nom",
}


@pytest.mark.parametrize(("password", "reason"), WEAK.items())
def test_weak_passwords_are_refused_with_the_reason_in_french(db, password, reason):
    with pytest.raises(InvalidInput, match="Mot de passe refusé") as refused:
        accounts.create_user("nicolas.dupont@example.fr", display_name="Nicolas Dupont",
                             password=password)
    assert reason in refused.value.message


@pytest.mark.parametrize("password", [PASSWORD, "un mot de passe solide",
                                      "tresor-lampe-kiwi-vague", "K8#vq2!Lm9zP"])
def test_strong_passwords_are_accepted(db, password):
    user = accounts.create_user("marie@example.fr", password=password)
    assert accounts.check_password(user, password)


def test_the_lists_hold_french_and_international_passwords():
    common = passwords.common_passwords()
    assert {"azerty", "motdepasse", "marseille", "doudou", "password", "123456"} <= common
    assert len(common) > 40_000


def test_setting_a_weak_password_keeps_the_old_one(db, make_user):
    user = make_user()
    with pytest.raises(InvalidInput, match="plus courants"):
        accounts.set_password(user, "password1234")
    assert accounts.check_password(user, PASSWORD)
