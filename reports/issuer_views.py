"""The setup page of an issuing body's blank (name, requisites, signatory): a thin door over reports.issuers."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from reports import issuers
from reports.models import Issuer, IssuerKind


class RequisitesForm(forms.ModelForm):
    class Meta:
        model = Issuer
        fields = issuers.EDITABLE
        widgets = {
            "name": forms.Textarea(attrs={"rows": 3}),
            "address": forms.Textarea(attrs={"rows": 2}),
            "signatory_position": forms.Textarea(attrs={"rows": 2}),
        }

    # The blank's must-haves, required on the page as they are for printing (the model keeps them optional
    # so that a body created on first need can exist before its officials fill it in).
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in Issuer.REQUIRED_FOR_BLANK:
            self.fields[name].required = True
        # Left empty, the usual body is kept (reports.issuers.requisites_save).
        self.fields["adoption_body"].required = False

    # The page's sections: a legend and its fields (wide ones take the whole row).
    GROUPS = (
        ("Наименование", ("name", "short_name")),
        ("Адрес и связь", ("address", "city", "phone", "fax", "email", "site")),
        ("Коды", ("okpo", "ogrn", "inn_kpp")),
        ("Подпись и исходящие номера", ("signatory_position", "signatory_name", "number_suffix")),
        ("Одобрение рекомендаций", ("adoption_body",)),
    )
    WIDE = frozenset({"name", "address", "signatory_position", "adoption_body"})

    def groups(self):
        return [(legend, [(self[name], name in self.WIDE) for name in names]) for legend, names in self.GROUPS]


@login_required
def requisites_edit(request):
    try:
        issuer = issuers.issuer_of(request.user)
    except PermissionDenied as exc:
        raise Http404(str(exc)) from exc
    form = RequisitesForm(request.POST or None, instance=Issuer(**_values(issuer)))
    if request.method == "POST" and form.is_valid():
        try:
            issuers.requisites_save(user=request.user, values=form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "Реквизиты сохранены: письма и годовой отчет печатаются на этом бланке.")
            return redirect(request.POST.get("next") if _local(request.POST.get("next")) else "requisites-edit")
    return render(
        request,
        "reports/issuer_form.html",
        {
            "form": form,
            "issuer": issuer,
            "is_institute": issuer.kind == IssuerKind.INSTITUTE,
            "next": request.GET.get("next", "") if _local(request.GET.get("next")) else "",
        },
    )


def _values(issuer: Issuer) -> dict:
    # The form edits a copy: a refused save leaves the stored row as it was.
    return {"kind": issuer.kind, "municipality_id": issuer.municipality_id} | {
        name: getattr(issuer, name) for name in issuers.EDITABLE
    }


def _local(url: str | None) -> bool:
    """Only the portal's own paths are followed after saving."""
    return bool(url) and url.startswith("/") and not url.startswith("//")
