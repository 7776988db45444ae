"""The reports part of the demo: the blanks of the demo region's institute and two education authorities.

The requisites are the demo's data, not the code's defaults: a portal set up for another
region has no blank until its own staff fill it in (reports.issuers). The Zhirnovsk
department's requisites are those printed on its published letter (shared/seeds, 003);
the city department's contacts and both signatories are illustrative, like the demo's people.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import ngettext

from monitoring.models import Municipality
from reports.models import Issuer, IssuerKind

INSTITUTE = {
    "name": "Государственное автономное учреждение дополнительного профессионального образования "
    "«Волгоградская государственная академия последипломного образования»",
    "short_name": "ГАУ ДПО «ВГАПО»",
    "address": "400049, г. Волгоград, ул. Новодвинская, д. 19а",
    "city": "Волгоград",
    "phone": "(8442) 60-10-08",
    "email": "info@vgapo.ru",
    "site": "vgapo.ru",
    "ogrn": "1023403432290",
    "inn_kpp": "3446006416/344601001",
    "signatory_position": "Ректор",
    "signatory_name": "И. А. Воронина",
}

# municipality name -> its education authority's blank
AUTHORITIES = {
    "Жирновский муниципальный район": {
        "name": "Отдел по образованию администрации Жирновского муниципального района Волгоградской области",
        "short_name": "Отдел по образованию администрации Жирновского района",
        "address": "403791, Волгоградская область, г. Жирновск, ул. З. Космодемьянской, д. 1",
        "city": "Жирновск",
        "phone": "(84454) 5-43-26",
        "fax": "(84454) 5-57-46",
        "email": "edu_zhirn@volganet.ru",
        "okpo": "80200184",
        "ogrn": "1073453000796",
        "inn_kpp": "3407011107/340701001",
        "signatory_position": "Начальник отдела по образованию",
        "signatory_name": "Н. В. Кузнецова",
    },
    "город-герой Волгоград": {
        "name": "Департамент по образованию администрации Волгограда",
        "short_name": "Департамент по образованию администрации Волгограда",
        "address": "400066, г. Волгоград, ул. Комсомольская, д. 10",
        "city": "Волгоград",
        "phone": "(8442) 38-25-10",
        "email": "edu@volgadmin.ru",
        "signatory_position": "Руководитель департамента по образованию",
        "signatory_name": "С. П. Морозов",
    },
}


def seed_institute(*, periods, seed: int, log: Callable[[str], None]) -> dict[str, int]:
    """Set the demo's blanks (again on a re-seed: the institute's row is kept, its requisites renewed)."""
    institute = Issuer.objects.filter(kind=IssuerKind.INSTITUTE).order_by("pk").first()
    if institute is None:
        Issuer.objects.create(kind=IssuerKind.INSTITUTE, **INSTITUTE)
    else:
        Issuer.objects.filter(pk=institute.pk).update(**INSTITUTE)
    authorities = 0
    for municipality in Municipality.objects.filter(name__in=AUTHORITIES):
        Issuer.objects.update_or_create(
            municipality=municipality, defaults={"kind": IssuerKind.MUNICIPAL, **AUTHORITIES[municipality.name]}
        )
        authorities += 1
    bodies = ngettext("%(n)d муниципальный орган", "%(n)d муниципальных органов", authorities) % {"n": authorities}
    log(f"  реквизиты: институт и {bodies} управления образованием")
    return {"Issuer": Issuer.objects.count()}
