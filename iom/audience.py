"""Whether a catalog program is meant for a teacher: its target positions against the teacher's post.

A program's audience is stored as its position tags (`ProgramTag` of kind «целевая
должность»): a bare position («учитель», «педагог-психолог») or a position narrowed by what
is taught («учитель начальных классов», «учитель математики»). A teacher's post is the
roster's position and subjects. A program with no position tags suits everyone; otherwise
one of its tags must name the teacher's position, and a narrowed tag must name one of the
teacher's subjects: a maths teacher is not offered a retraining for primary-school teachers.

The subjects are compared word by word on their common beginning, since the tag declines
the subject («начальных классов») while the roster names it («Начальные классы»).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from monitoring.models import RosterEntry

_WORD = re.compile(r"[а-яёa-z]+")
# Words a qualifier may carry that name no subject.
_FILLER = frozenset({"и", "в", "по", "для", "с", "на", "of"})


@dataclass(frozen=True)
class Post:
    """A teacher's position and subjects, as the latest roster row gives them."""

    position: str = ""
    subjects: tuple[str, ...] = field(default=())


def teacher_post(*, teacher_id: int) -> Post:
    """The teacher's post from their latest roster row (an empty post when not on any roster)."""
    row = (
        RosterEntry.objects.filter(teacher_id=teacher_id)
        .order_by("-period__year")
        .values_list("position", "subjects")
        .first()
    )
    if row is None:
        return Post()
    position, subjects = row
    return Post(position=(position or "").strip(), subjects=tuple(s for s in subjects or () if isinstance(s, str)))


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower().replace("ё", "е")) if w not in _FILLER]


def _same_word(a: str, b: str) -> bool:
    """Two forms of one word: «начальных» and «начальные», «языка» and «язык»."""
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return common >= max(4, min(len(a), len(b)) - 2) or a == b


def tag_fits(tag: str, post: Post) -> bool:
    """Whether one target-position tag names the teacher's post."""
    tag_words, position_words = _words(tag), _words(post.position)
    if not position_words or tag_words[: len(position_words)] != position_words:
        return False
    qualifier = tag_words[len(position_words) :]
    if not qualifier:
        return True
    taught = [w for subject in post.subjects for w in _words(subject)]
    return all(any(_same_word(word, t) for t in taught) for word in qualifier)


def program_fits(positions: list[str], post: Post) -> bool:
    """Whether a program with these target positions suits the teacher; no positions suits everyone."""
    if not positions:
        return True
    if not post.position:
        # Nothing known about the teacher: do not hide a program from them.
        return True
    return any(tag_fits(tag, post) for tag in positions)
