"""Catalogs of declarative indicators as files regions share: JSON, validated whole before anything is stored.

The format::

    {"format": "monitoring-indicators", "version": 1,
     "catalog": {"slug": "zhirnovsk-2023", "title": "…", "source": "…", "description": "…"},
     "indicators": [<definition>, …],
     "texts": [{"kind": "conclusion" | "recommendation", "indicator": "Ж.11",
                "addressee": "school_heads", "text": "Низкий охват …"}, …]}

Each definition is the one ``indicators.declarative.spec`` validates. The optional
``texts`` are the recommendation library's conclusions and recommendations for the
catalog's indicators: this module checks their shape, and the library (``reports``,
reached through the extension store ``catalog_loaded``) checks their placeholders and
adds the ones it does not have yet, in the same transaction; an export carries the
library's active texts for the catalog's indicators (the store ``catalog_dumped``). Loading a file
either stores the catalog and every indicator, or refuses it with every problem named
(«Показатель 3 (Ж.3): Числитель, условие 1: …»); a file is at most 1 MB and 500
indicators, so a hostile one costs little.
"""

from __future__ import annotations

import json
import re

from django.db import transaction

from indicators.catalog import registered_codes
from indicators.declarative.services import require_writer, store_indicator
from indicators.declarative.spec import KEYS, DefinitionInvalid, validate
from indicators.models import Indicator, IndicatorCatalog, IndicatorKind
from monitoring.shared import extensions

FORMAT = "monitoring-indicators"
VERSION = 1
MAX_BYTES = 1_000_000
MAX_INDICATORS = 500
MAX_TEXTS = 2000
MAX_TEXT_LENGTH = 5000
TEXT_KINDS = ("conclusion", "recommendation")
SLUG = re.compile(r"^[-\w]{1,50}$")
SPEC_KEYS = KEYS  # a file holds every part of a definition, in spec order


def catalog_dump(catalog: IndicatorCatalog) -> dict:
    """The catalog and its indicators' current definitions, as the file holds them."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "catalog": {
            "slug": catalog.slug,
            "title": catalog.title,
            "source": catalog.source,
            "description": catalog.description,
        },
        "indicators": [
            {k: i.spec.get(k) for k in SPEC_KEYS} for i in catalog.indicators.order_by("order", "code") if i.spec
        ],
        # The library's texts for the catalog's indicators (the store ``catalog_dumped``), so a
        # region that loads the file gets the conclusions with the indicators.
        "texts": [text for texts in extensions.run("catalog_dumped", catalog=catalog) for text in texts],
    }


def catalog_dumps(catalog: IndicatorCatalog) -> bytes:
    return json.dumps(catalog_dump(catalog), ensure_ascii=False, indent=2).encode()


def _parse(data: bytes | str) -> dict:
    if isinstance(data, str):
        data = data.encode()
    if len(data) > MAX_BYTES:
        raise DefinitionInvalid([f"Файл больше {MAX_BYTES // 1_000_000} МБ: в наборе показателей столько не бывает."])
    try:
        payload = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise DefinitionInvalid(["Файл не в кодировке UTF-8: сохраните набор показателей как JSON в UTF-8."]) from None
    except (json.JSONDecodeError, RecursionError) as exc:
        line = getattr(exc, "lineno", None)
        where = f" (строка {line})" if line else ""
        message = f"Файл не читается как JSON{where}: выгрузите набор показателей из портала заново."
        raise DefinitionInvalid([message]) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise DefinitionInvalid(["Это не файл набора показателей портала (нет отметки формата)."])
    if payload.get("version") != VERSION:
        version = str(payload.get("version"))[:10]
        raise DefinitionInvalid([f"Версия файла {version} не поддерживается (ожидается {VERSION})."])
    return payload


def catalog_check(data: bytes | str) -> tuple[dict, list[dict]]:
    """The file's catalog fields and validated definitions; DefinitionInvalid names every problem."""
    payload = _parse(data)
    errors: list[str] = []
    meta = payload.get("catalog")
    if not isinstance(meta, dict):
        raise DefinitionInvalid(["В файле нет описания набора (раздел catalog)."])
    slug = meta.get("slug")
    if not isinstance(slug, str) or not SLUG.match(slug):
        errors.append("Набор: обозначение — до 50 букв, цифр, дефисов и подчеркиваний.")
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip() or len(title) > 300:
        errors.append("Набор: наименование — от 1 до 300 знаков.")
    for name in ("source", "description"):
        if not isinstance(meta.get(name, ""), str) or len(meta.get(name, "")) > 5000:
            errors.append(f"Набор: поле {name} — текст до 5000 знаков.")
    items = payload.get("indicators")
    if not isinstance(items, list) or not items:
        errors.append("В наборе нет показателей.")
        items = []
    if len(items) > MAX_INDICATORS:
        raise DefinitionInvalid([f"В наборе больше {MAX_INDICATORS} показателей."])
    specs: list[dict] = []
    seen: set[str] = set()
    coded = registered_codes()
    others = {
        code: (kind, title)
        for code, kind, title in Indicator.objects.filter(
            code__in=[i.get("code") for i in items if isinstance(i, dict) and isinstance(i.get("code"), str)]
        )
        .exclude(catalog__slug=slug if isinstance(slug, str) else None)
        .values_list("code", "kind", "catalog__title")
    }
    for n, item in enumerate(items, 1):
        label = f"Показатель {n}" + (f" ({str(item.get('code'))[:10]})" if isinstance(item, dict) else "")
        try:
            spec = validate(item)
        except DefinitionInvalid as exc:
            errors += [f"{label}: {e}" for e in exc.errors]
            continue
        if spec["code"] in seen:
            errors.append(f"{label}: код {spec['code']} в наборе повторяется.")
        elif spec["code"] in coded or others.get(spec["code"], ("",))[0] == IndicatorKind.CODED:
            errors.append(f"{label}: код {spec['code']} занят показателем из кода портала.")
        elif spec["code"] in others:
            owner = others[spec["code"]][1]
            where = f"в наборе «{owner}»" if owner else "у показателя вне наборов"
            errors.append(f"{label}: код {spec['code']} уже есть {where}; измените код.")
        seen.add(spec["code"])
        specs.append(spec)
    if errors:
        raise DefinitionInvalid(errors)
    return {k: (meta.get(k) or "").strip() for k in ("slug", "title", "source", "description")}, specs


def catalog_texts(data: bytes | str, codes: set[str]) -> list[dict]:
    """The file's ``texts`` in shape (kind, an indicator of the file, addressee, text); [] when it has none.

    Placeholders and addressee kinds are the library's to judge (``catalog_loaded``).
    """
    items = _parse(data).get("texts", [])
    if items in (None, []):
        return []
    if not isinstance(items, list):
        raise DefinitionInvalid(["Тексты: ожидается список выводов и рекомендаций."])
    if len(items) > MAX_TEXTS:
        raise DefinitionInvalid([f"Тексты: не больше {MAX_TEXTS} выводов и рекомендаций в наборе."])
    errors: list[str] = []
    texts: list[dict] = []
    for n, item in enumerate(items, 1):
        label, before = f"Текст {n}", len(errors)
        if not isinstance(item, dict):
            errors.append(f"{label}: ожидается объект с полями kind, indicator, addressee, text.")
            continue
        kind, code = item.get("kind"), item.get("indicator")
        addressee, text = item.get("addressee") or "", item.get("text")
        if kind not in TEXT_KINDS:
            errors.append(f"{label}: вид — conclusion (вывод) или recommendation (рекомендация).")
        if not isinstance(code, str) or code not in codes:
            errors.append(f"{label}: показатель «{str(code)[:10]}» — не из этого набора.")
        if not isinstance(addressee, str) or len(addressee) > 20:
            errors.append(f"{label}: адресат — обозначение вида адресата.")
        elif kind == "recommendation" and not addressee:
            errors.append(f"{label}: у рекомендации должен быть адресат.")
        elif kind == "conclusion" and addressee:
            errors.append(f"{label}: у вывода адресата нет.")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT_LENGTH:
            errors.append(f"{label}: текст — от 1 до {MAX_TEXT_LENGTH} знаков.")
        if len(errors) == before:
            texts.append({"kind": kind, "indicator": code, "addressee": addressee, "text": " ".join(text.split())})
    if errors:
        raise DefinitionInvalid(errors)
    return texts


class CatalogExists(DefinitionInvalid):
    """A catalog with the file's slug is stored already: replacing it must be asked for."""


def catalog_load(*, data: bytes | str, user, replace: bool = False) -> IndicatorCatalog:
    """Store a catalog file (a new catalog, or the new version of one with the same slug); all or nothing.

    The periods that use its indicators keep their own definitions until they adopt it again.
    Its texts go to the recommendation library through the store ``catalog_loaded``
    (monitoring/config/extensions.py), in the same transaction: a text the library refuses
    (DefinitionInvalid) refuses the whole file.
    """
    require_writer(user)
    meta, specs = catalog_check(data)
    texts = catalog_texts(data, {spec["code"] for spec in specs})
    with transaction.atomic():
        stored = IndicatorCatalog.objects.select_for_update().filter(slug=meta["slug"]).first()
        if stored is not None and not replace:
            raise CatalogExists(
                [
                    f"Набор «{stored.title}» ({stored.slug}) уже есть в портале. Чтобы заменить его этим файлом, "
                    "отметьте «Заменить существующий набор»: его показатели получат определения из файла, а "
                    "периоды — когда примут набор снова."
                ]
            )
        catalog, _ = IndicatorCatalog.objects.update_or_create(
            slug=meta["slug"], defaults={k: meta[k] for k in ("title", "source", "description")}
        )
        for spec in specs:
            store_indicator(spec=spec, catalog=catalog)
        # A replaced catalog is what its file says: indicators the file no longer lists leave it
        # (they stay indicators: periods that adopted them keep them).
        catalog.indicators.exclude(code__in=[spec["code"] for spec in specs]).update(catalog=None)
        extensions.run("catalog_loaded", catalog=catalog, texts=texts)
    return catalog
