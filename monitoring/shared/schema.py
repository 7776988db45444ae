"""Additions to the OpenAPI schema that drf-spectacular cannot infer: the error responses every endpoint shares."""

from __future__ import annotations

ERROR_SCHEMA = {
    "type": "object",
    "description": "Ошибка: машинный код и сообщение на русском; для ошибок проверки — ошибки по полям.",
    "properties": {
        "code": {"type": "string", "description": "Машинный код: invalid, not_authenticated, permission_denied, …"},
        "detail": {"type": "string", "description": "Сообщение для человека, на русском"},
        "errors": {"type": "object", "additionalProperties": True, "description": "Ошибки по полям"},
    },
    "required": ["code", "detail"],
}

ERRORS = {
    "400": "Неверный запрос или данные не прошли проверку",
    "401": "Нужен вход: токен не передан или недействителен",
    "403": "Действие не разрешено роли владельца токена",
    "404": "Не найдено или вне области видимости",
    "405": "Метод не поддерживается",
    "406": "Формат ответа не поддерживается",
    "409": "Действие невозможно в текущем состоянии объекта",
    "415": "Тип содержимого запроса не поддерживается",
    "429": "Слишком много запросов: повторите позже",
}


def add_error_responses(result, generator, request, public):
    """Document the JSON error of every status an endpoint can answer with (postprocessing hook)."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                body = {"application/json": {"schema": ref}}
                responses.setdefault(code, {"description": description, "content": body})
    return result
