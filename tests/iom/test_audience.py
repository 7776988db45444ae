"""A program's target positions against a teacher's post: who is offered what (issue 16, item 9)."""

from __future__ import annotations

import pytest

from iom.audience import Post, program_fits, tag_fits

MATHS = Post("учитель", ("Математика", "Информатика"))
PRIMARY = Post("учитель", ("Начальные классы",))
LANGUAGE = Post("учитель", ("Русский язык", "Литература"))
SPEECH = Post("учитель-логопед", ())


@pytest.mark.parametrize(
    ("tag", "post", "fits"),
    [
        ("учитель", MATHS, True),
        ("Учитель", PRIMARY, True),
        ("учитель начальных классов", MATHS, False),
        ("учитель начальных классов", PRIMARY, True),
        ("учитель математики", MATHS, True),
        ("учитель математики", PRIMARY, False),
        ("учитель русского языка и литературы", LANGUAGE, True),
        ("учитель-логопед", MATHS, False),
        ("учитель", SPEECH, False),
        ("учитель-логопед", SPEECH, True),
        ("воспитатель", MATHS, False),
    ],
)
def test_a_tag_names_the_post_and_its_subject(tag, post, fits):
    assert tag_fits(tag, post) is fits


def test_a_program_without_positions_suits_everyone_and_one_fitting_tag_is_enough():
    assert program_fits([], MATHS)
    assert program_fits(["учитель начальных классов", "учитель математики"], MATHS)
    assert not program_fits(["учитель начальных классов"], MATHS)
    # Nothing known of the teacher's post: nothing is hidden from them.
    assert program_fits(["учитель начальных классов"], Post())
