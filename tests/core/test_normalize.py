import pytest

from clinic_faq.core.normalize import normalize


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("I CAN'T BREATHE", "i can not breathe"),
        ("cant breath", "can not breathe"),
        ("im sucidal", "i am suicidal"),
        ("wanna kms rn", "want to kill myself right now"),
        ("it doesn’t work", "it does not work"),
        ("k-e-t-a-m-i-n-e", "ketamine"),
        ("d0se of k3tamine", "dose of ketamine"),
        ("  lots   of   space ", "lots of space"),
    ],
)
def test_normalize(raw, expected):
    assert normalize(raw) == expected
