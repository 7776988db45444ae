"""The page where institute staff issue and revoke API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from monitoring import tokens
from monitoring.forms import ApiTokenForm
from monitoring.models import ApiToken
from monitoring.models.scoping import can_write_region


def _issuer(request) -> None:
    if not can_write_region(request.user):
        raise Http404("Страница недоступна.")


@login_required
def token_list(request):
    _issuer(request)
    form = ApiTokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = tokens.api_token_create(created_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request, f"Токен «{token.name}» выпущен. Скопируйте его сейчас: он больше не будет показан."
            )
            form = ApiTokenForm()
    rows = ApiToken.objects.select_related("user__municipality", "user__school", "user__teacher", "created_by")
    return render(request, "monitoring/api_tokens.html", {"form": form, "tokens": rows, "secret": secret})


@login_required
@require_POST
def token_revoke(request, key: str):
    _issuer(request)
    token = get_object_or_404(ApiToken, token_key=key)
    tokens.api_token_revoke(token=token, user=request.user)
    messages.success(request, f"Токен «{token.name}» отозван.")
    return redirect("api-token-list")
