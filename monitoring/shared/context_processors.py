"""Template context every page needs: the current period, the user's role flags, the menu and its current section."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse

from monitoring.models import MonitoringPeriod, Role
from monitoring.models.scoping import can_write_region, is_region_wide

# The menu section a page belongs to, by the first part of its path (base.html marks it current).
SECTIONS = {
    "municipalities": "data", "schools": "data", "teachers": "data", "periods": "data", "imports": "data",
    "exports": "data", "api-tokens": "data", "attestation": "data",
    "indicators": "indicators",
    "diagnostics": "diagnostics",
    "surveys": "surveys",
    "routes": "routes",
    "programs": "programs",
    "letters": "letters", "measures": "letters", "reports": "letters", "requisites": "letters",
    "notices": "notices",
    "curators": "data", "curator": "curator",
}  # fmt: skip


@dataclass(frozen=True)
class MenuItem:
    """A link of the menu, or (with ``children``) a drop-down of links; ``section`` marks it current."""

    label: str
    url: str = ""
    section: str = ""
    children: tuple[MenuItem, ...] = field(default_factory=tuple)


def _link(label: str, name: str, section: str = "", *args) -> MenuItem:
    return MenuItem(label=label, url=reverse(name, args=args), section=section)


def menu_for(user) -> list[MenuItem]:
    """The menu of ``user``'s role: only the pages that role works with (each answers 200 to it).

    Short labels and two drop-downs keep the bar on one line at 1440 px for every role.
    """
    if user.role == Role.TEACHER and not user.is_superuser:
        return [
            _link("Диагностика дефицитов", "my-diagnostics", "diagnostics"),
            _link("Мой маршрут (ИОМ)", "route-list", "routes"),
            _link("Программы ДПП", "program-list", "programs"),
        ]
    if user.role == Role.CURATOR and not user.is_superuser:
        return [
            _link("Маршруты моих педагогов", "curator-routes", "curator"),
            _link("Программы ДПП", "program-list", "programs"),
        ]
    writer = can_write_region(user)
    head = user.role == Role.SCHOOL_HEAD and not user.is_superuser
    data: list[MenuItem] = []
    if head and user.school_id:
        data.append(_link("Моя организация", "school-detail", "", user.school.code))
    elif user.role == Role.MUNICIPAL and user.municipality_id and not user.is_superuser:
        data.append(_link("Мой муниципалитет", "municipality-detail", "", user.municipality.code))
        data.append(_link("Организации", "school-list"))
    else:
        data.append(_link("Муниципалитеты", "municipality-list"))
        data.append(_link("Организации", "school-list"))
    data += [
        _link("Педагоги", "teacher-list"),
        _link("Аттестация", "attestation-list"),
        _link("Периоды", "period-list"),
    ]
    # Uploads: the institute loads the region's package, heads their school's staffing, and a
    # municipal official follows their schools' uploads; the ministry has nothing to load.
    if user.role != Role.MINISTRY or user.is_superuser:
        data.append(_link("Загрузки", "import-list"))
    if writer:
        data += [
            _link("API: документация", "api-docs"),
            _link("API: токены систем", "api-token-list"),
            _link("Кураторы ЦНППМ", "curator-list"),
            # The raw admin is the institute's tool for region-wide data, not a page of the others.
            _link("Администрирование", "admin:index"),
        ]
    letters = [
        _link("Письма с адресными рекомендациями", "letter-list"),
        _link("Управленческие решения", "measure-list"),
    ]
    if is_region_wide(user):
        letters.append(_link("Годовой отчет", "report-list"))
    if is_region_wide(user) or (user.role == Role.MUNICIPAL and user.municipality_id):
        letters.append(_link("Аналитические справки", "spravka-list"))
    # The blank letters and reports print on: the institute keeps its own, a municipal official theirs.
    if writer or (user.role == Role.MUNICIPAL and user.municipality_id):
        letters.append(_link("Реквизиты бланка", "requisites-edit", "letters"))
    return [
        MenuItem(label="Данные", section="data", children=tuple(data)),
        # The institute's staff also build indicators: a drop-down for them, a link for the others.
        MenuItem(
            label="Показатели",
            section="indicators",
            children=(
                _link("Показатели по направлениям", "indicator-overview"),
                _link("Конструктор показателей", "indicator-builder"),
            ),
        )
        if writer
        else _link("Показатели", "indicator-overview", "indicators"),
        _link("Диагностика", "diagnostic-results", "diagnostics"),
        # Questionnaires are built by the institute; every staff role follows the campaigns
        # that reach its municipality or school.
        MenuItem(
            label="Опросы",
            section="surveys",
            children=(
                _link("Опросы", "survey-campaign-list"),
                _link("Анкеты", "survey-questionnaire-list"),
            ),
        )
        if writer
        else _link("Опросы", "survey-campaign-list", "surveys"),
        _link("ИОМ", "route-list", "routes"),
        _link("Программы ДПП", "program-list", "programs"),
        MenuItem(label="Рекомендации", section="letters", children=tuple(letters)),
    ]


def portal(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "current_period": MonitoringPeriod.objects.current(),
        "Role": Role,
        "is_region_wide": is_region_wide(user),
        # The institute's staff write through the admin; the others read the same rows on the pages.
        "can_write_region": can_write_region(user),
        "nav_section": SECTIONS.get(request.path.strip("/").split("/")[0], ""),
        "menu": menu_for(user),
    }
