"""The closed vocabulary declarative indicators are written in: populations, their fields and relations.

Nothing outside this module (and ``computed``, its fields that are not a column) names
a model field: a definition says ``"field": "program.topic"`` and this vocabulary says
what that is (a tag of the course run's program), which operators it takes and which
values it knows. A definition can only reach what is listed here, so it cannot read a
table the vocabulary does not name (users, tokens, letters) nor write anything.

A *population* is what an indicator counts (roster teachers, enrollments, schools…):
its base queryset for a period and a chunk of municipalities, where each row is placed
(its school, else its municipality, else the region: ``anchors``), the groups of
fields a row has (its own and those of the rows it points to, as *entities* mounted
under a prefix) and its relations ("has an enrollment …", as a semi-join subquery).
"""

from indicators.declarative.vocabulary.entities import ENTITIES, GROUP_CODES
from indicators.declarative.vocabulary.populations import COUNTABLE, POPULATIONS, Population, Relation
from indicators.declarative.vocabulary.terms import LIST_OPS, NO_VALUE, OPERATORS, YEARS, Field, Kind

__all__ = [
    "COUNTABLE",
    "ENTITIES",
    "GROUP_CODES",
    "LIST_OPS",
    "NO_VALUE",
    "OPERATORS",
    "POPULATIONS",
    "YEARS",
    "Field",
    "Kind",
    "Population",
    "Relation",
]
