"""The catalog's FilterSet, shared by the HTML list and (later) the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from iom.models import Program, ProgramKind, Provider, TagKind, Topic
from iom.services import active_group_choices


class ProgramFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Поиск")
    competence = django_filters.ChoiceFilter(
        method="tagged", label="Группа компетенций", empty_label="Все группы", choices=active_group_choices
    )
    topic = django_filters.ChoiceFilter(method="tagged", label="Тематика", empty_label="Любая", choices=Topic.choices)
    kind = django_filters.ChoiceFilter(choices=ProgramKind.choices, label="Вид", empty_label="ПК и ПП")
    e_learning = django_filters.BooleanFilter(label="ЭО и ДОТ")
    provider = django_filters.ModelChoiceFilter(
        queryset=Provider.objects.order_by("name"), label="Организация", empty_label="Все организации"
    )

    class Meta:
        model = Program
        fields = ["q", "competence", "topic", "kind", "e_learning", "provider"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__iexact=value))

    def tagged(self, queryset, name, value):
        kind = TagKind.COMPETENCE if name == "competence" else TagKind.TOPIC
        return queryset.filter(pk__in=Program.objects.filter(tags__kind=kind, tags__value=value).values("pk"))
