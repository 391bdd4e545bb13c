"""The level arithmetic: every cell of every default matrix (3x3, 4x4, 5x5) gives exactly the level
the method's table says, and a custom matrix is followed cell by cell."""

import itertools

import pytest

from aims.risk.models import RiskMethodology, add_months
from aims.risk.taxonomy import default_method

# The expected tables, written out independently of the code (likelihood rows from 1, impact columns from 1).
EXPECTED = {
    3: """
        L L M
        L M H
        M H C
    """,
    4: """
        L L M M
        L M M H
        M M H C
        M H C C
    """,
    5: """
        L L L M M
        L L M M H
        L M M H H
        M M H H C
        M H H C C
    """,
}
NAMES = {"L": "low", "M": "medium", "H": "high", "C": "critical"}


def method_of(size, **changes):
    data = default_method(size)
    data.update(changes)
    m = RiskMethodology(number=1, **data)
    m.clean()
    return m


@pytest.mark.parametrize("size", [3, 4, 5])
def test_every_cell_of_the_default_matrix_gives_the_documented_level(size):
    m = method_of(size)
    table = [line.split() for line in EXPECTED[size].strip().splitlines()]
    for likelihood, impact in itertools.product(range(1, size + 1), repeat=2):
        expected = NAMES[table[likelihood - 1][impact - 1]]
        assert m.level_for(likelihood, impact)["key"] == expected, (likelihood, impact)


@pytest.mark.parametrize("size", [3, 4, 5])
def test_a_custom_matrix_is_followed_cell_by_cell(size):
    levels = default_method(size)["levels"]
    keys = [lvl["key"] for lvl in levels]
    # A deliberately odd matrix: the level depends on (2L + 3I) mod 4, so no formula of L x I fits it.
    matrix = [[keys[(2 * li + 3 * im) % 4] for im in range(1, size + 1)] for li in range(1, size + 1)]
    m = method_of(size, matrix=matrix)
    for likelihood, impact in itertools.product(range(1, size + 1), repeat=2):
        assert m.level_for(likelihood, impact)["key"] == keys[(2 * likelihood + 3 * impact) % 4]
        assert m.rank(m.level_for(likelihood, impact)["key"]) == (2 * likelihood + 3 * impact) % 4


@pytest.mark.parametrize("size", [3, 4, 5])
def test_it_refuses_values_outside_the_scale(size):
    m = method_of(size)
    for bad in [(0, 1), (1, 0), (size + 1, 1), (1, size + 1)]:
        with pytest.raises(ValueError):
            m.level_for(*bad)


def test_appetite_separates_acceptable_levels():
    m = method_of(5, appetite="medium")
    assert [m.above_appetite(k) for k in ["low", "medium", "high", "critical"]] == [False, False, True, True]


def test_it_names_the_field_of_an_invalid_method():
    from django.core.exceptions import ValidationError

    for changes, field in [
        ({"matrix": [["low"] * 5] * 4}, "matrix"),
        ({"matrix": [["low"] * 5] * 4 + [["low"] * 4 + ["extreme"]]}, "matrix"),
        ({"appetite": "extreme"}, "appetite"),
        ({"likelihood_scale": [{"name": "x"}] * 3}, "likelihood_scale"),
        ({"levels": [{"key": "a", "name": "A", "colour": "pink", "review_months": 3}] * 2}, "levels"),
        ({"above_appetite_roles": ["external_auditor"]}, "above_appetite_roles"),
        ({"treatment_options": ["ignore"]}, "treatment_options"),
    ]:
        data = default_method(5)
        data.update(changes)
        with pytest.raises(ValidationError) as err:
            RiskMethodology(number=1, **data).clean()
        assert field in err.value.message_dict, (changes, err.value.message_dict)


def test_add_months_keeps_the_day_or_the_month_end():
    import datetime as dt

    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 11, 15), 3) == dt.date(2027, 2, 15)
    assert add_months(dt.date(2026, 5, 1), 12) == dt.date(2027, 5, 1)
