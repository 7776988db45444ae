"""Pages of addressed-recommendation letters: list, composer, edit, approve, issue, PDF, receipts.

Thin doors over reports.letters: a letter comes through ``letters_visible`` (outside
the user's reach it is "not found"), and every change is the services' decision — they
refuse (403) what the user may not do and anything on an issued letter.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from monitoring.models import MonitoringPeriod, Municipality
from monitoring.models.scoping import can_write_region, require_staff_reader
from reports import audit, letters
from reports.issuers import RequisitesMissing
from reports.models import AddresseeKind, Issuer, IssuerKind, Letter, LetterReceipt, LetterStatus, TextKind
from reports.notices import letter_recipients


def _staff(request) -> None:
    require_staff_reader(request.user)


def _letter(request, pk: int) -> Letter:
    _staff(request)
    return get_object_or_404(letters.letters_visible(request.user), pk=pk)


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _pdf(content: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def letter_list(request):
    _staff(request)
    rows = list(letters.letters_visible(request.user))
    read = set(LetterReceipt.objects.filter(user=request.user).values_list("letter_id", flat=True))
    for letter in rows:
        letter.may_confirm = letter.pk not in read and letters.may_receive(user=request.user, letter=letter)
        letter.was_read = letter.pk in read
    try:
        can_compose = bool(letters.issuers_for(request.user))
    except RequisitesMissing:
        # The list still shows; «Новое письмо» leads to the page that asks for the blank's requisites.
        can_compose = True
    return render(request, "reports/letter_list.html", {"letters": rows, "can_compose": can_compose})


class LetterNewForm(forms.Form):
    period = forms.ModelChoiceField(label="Период", queryset=MonitoringPeriod.objects.order_by("-year"))
    issuer = forms.ModelChoiceField(label="От кого (бланк)", queryset=Issuer.objects.none())
    addressees = forms.MultipleChoiceField(
        label="Адресаты",
        choices=AddresseeKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Несколько адресатов — справка с рекомендациями, сгруппированными по адресатам.",
    )
    municipality = forms.ModelChoiceField(
        label="Муниципалитет", queryset=Municipality.objects.none(), required=False, empty_label="весь регион"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        issuers = letters.issuers_for(user)
        self.fields["issuer"].queryset = Issuer.objects.filter(pk__in=[i.pk for i in issuers])
        if len(issuers) == 1:
            # The only letterhead the user writes on: nothing to choose.
            self.fields["issuer"].initial = issuers[0].pk
            self.fields["issuer"].empty_label = None
        self.fields["municipality"].queryset = Municipality.objects.visible_to(user).order_by("name")
        if issuers and all(i.kind == IssuerKind.MUNICIPAL for i in issuers):
            # A municipal authority writes about its own municipality only, and not to itself: no
            # «весь регион», no «органам местного самоуправления» (the service refuses both).
            field = self.fields["municipality"]
            field.queryset = Municipality.objects.filter(pk__in=[i.municipality_id for i in issuers]).order_by("name")
            field.required, field.empty_label = True, None
            if len(issuers) == 1:
                field.initial = issuers[0].municipality_id
            self.fields["addressees"].choices = [
                (value, label) for value, label in AddresseeKind.choices if value != AddresseeKind.MUNICIPAL
            ]
        current = MonitoringPeriod.objects.current()
        if current:
            self.fields["period"].initial = current.pk


@login_required
def letter_new(request):
    """The composer's first step: issuer, addressees and scope, period → a proposed draft."""
    _staff(request)
    if not letters.issuers_for(request.user):
        raise Http404("Письма готовят сотрудники института и муниципальных органов управления образованием.")
    form = LetterNewForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            letter = letters.letter_propose(
                period=form.cleaned_data["period"],
                issuer=form.cleaned_data["issuer"],
                addressee=form.cleaned_data["addressees"],
                municipality=form.cleaned_data["municipality"],
                user=request.user,
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(
                request, "Проект письма составлен по проблемным зонам мониторинга. Проверьте и дополните его."
            )
            return redirect("letter-edit", pk=letter.pk)
    return render(request, "reports/letter_new.html", {"form": form})


def _approve_question(letter: Letter) -> str:
    issuer = letter.issuer
    return (
        f"Согласовать письмо как подписант ({issuer.signatory_position} {issuer.signatory_name})? "
        "Письмо будет подписано этим именем, а его текст — закрыт для правки: изменить его можно, "
        "только вернув письмо в черновик."
    )


def _issue_question(letter: Letter) -> str:
    """The issue confirmation names its consequence: the number, who receives it, and that it cannot be undone."""
    count = letter_recipients(letter).count()
    kinds = ", ".join(AddresseeKind(k).label.lower() for k in letters.addressee_kinds(letter))
    area = letter.municipality.name if letter.municipality_id else "весь регион"
    whom = ngettext("%(n)d адресату", "%(n)d адресатам", count) % {"n": count}
    return (
        f"Зарегистрировать и отправить письмо? Оно получит следующий исходящий номер и сегодняшнюю дату, "
        f"PDF будет зафиксирован, и письмо будет отправлено {whom}: {kinds} ({area}). "
        "Отменить это нельзя: ошибку исправляет только новое письмо взамен этого."
    )


@login_required
def letter_detail(request, pk: int):
    letter = _letter(request, pk)
    context = letters.letter_context(letter, draft=not letter.is_issued)
    context["document"] = letters.letter_document(letter=letter, draft=not letter.is_issued)
    may_write = letters.may_write(user=request.user, issuer=letter.issuer)
    if may_write and letter.status == LetterStatus.DRAFT:
        context["approve_refusal"] = letters.approval_refusal(letter=letter, user=request.user)
        context["approve_question"] = _approve_question(letter)
    if may_write and letter.status == LetterStatus.APPROVED:
        context["issue_question"] = _issue_question(letter)
    context.update(
        {
            "may_write": may_write,
            "may_confirm": letters.may_receive(user=request.user, letter=letter)
            and not letter.receipts.filter(user=request.user).exists(),
            "receipts": letter.receipts.select_related("user") if may_write else None,
            "corrections": letter.corrections.all(),
            # Who changed what: for the institute, whose staff compose and issue letters.
            "changes": audit.letter_changes(letter=letter) if can_write_region(request.user) else None,
        }
    )
    return render(request, "reports/letter_detail.html", context)


def _edit_payload(post, letter: Letter) -> dict:
    items, remove = [], []
    for item in letter.items.all():
        prefix = f"item-{item.pk}-"
        if post.get(prefix + "delete"):
            remove.append(item.pk)
            continue
        if prefix + "text" in post:
            row = {"id": item.pk, "text": post.get(prefix + "text", "")}
            if post.get(prefix + "order", "").strip():
                row["order"] = post[prefix + "order"]  # the service checks it is a number
            if item.kind == TextKind.RECOMMENDATION and post.get(prefix + "addressee"):
                row["addressee"] = post[prefix + "addressee"]
            items.append(row)
    add = []
    if post.get("new-text", "").strip():
        add.append(
            {"kind": post.get("new-kind", ""), "addressee": post.get("new-addressee", ""), "text": post["new-text"]}
        )
    fields = {
        name: post[name]
        for name in (
            "title",
            "introduction",
            "closing",
            "addressee_line",
            "reply_to",
            "reply_to_date",
            "protocol",
            "meeting",
            "revision",
        )
        if name in post
    }
    return {**fields, "items": items, "add": add, "remove": remove}


@login_required
def letter_edit(request, pk: int):
    """Edit a draft: texts, items (text, order, addressee), add and remove items."""
    letter = _letter(request, pk)
    if request.method == "POST":
        try:
            if "revision" not in request.POST and letter.status == LetterStatus.DRAFT:
                # A form without the revision it was opened at cannot be checked against a newer save:
                # it is refused like a stale one, and what was typed is shown again.
                raise letters.LetterEditConflict()
            letters.letter_update(letter=letter, user=request.user, **_edit_payload(request.POST, letter))
        except ValidationError as exc:
            return _edit_again(request, letter, exc)
        messages.success(request, "Изменения сохранены.")
        return redirect("letter-edit", pk=letter.pk)
    if letter.status != LetterStatus.DRAFT or not letters.may_write(user=request.user, issuer=letter.issuer):
        return redirect("letter-detail", pk=letter.pk)
    return render(request, "reports/letter_edit.html", _edit_context(letter))


def _edit_context(letter: Letter, post=None) -> dict:
    """The editor's page; with ``post``, showing what the user typed rather than what is stored."""
    context = letters.letter_context(letter, draft=True)
    context["addressee_choices"] = AddresseeKind.choices
    context["kind_choices"] = TextKind.choices
    context["revision"] = letter.revision
    # A date field shows and sends ISO dates (it displays them the browser's way, 01.02.2026 in Russian).
    context["reply_to_date_value"] = letter.reply_to_date.isoformat() if letter.reply_to_date else ""
    context["meetings"] = letters.meeting_choices(letter=letter)
    context["meeting_value"] = str(letter.meeting_id or "")
    if post is not None:
        context["unsaved"] = True  # what is shown was typed, not stored: leaving asks first
        context["reply_to_date_value"] = post.get("reply_to_date", context["reply_to_date_value"])
        context["meeting_value"] = post.get("meeting", context["meeting_value"])
        for name in ("title", "introduction", "closing", "addressee_line", "reply_to", "protocol"):
            if name in post:
                setattr(letter, name, post[name])
        shown = [*context["conclusions"], *(i for g in context["groups"] for i in g.items)]
        for item in shown:
            item.text = post.get(f"item-{item.pk}-text", item.text)
            item.order = post.get(f"item-{item.pk}-order", item.order)
        context["new_text"] = post.get("new-text", "")
        # The revision the user's form was opened at: a conflict stays a conflict until they reload.
        context["revision"] = post.get("revision", letter.revision)
    return context


def _edit_again(request, letter: Letter, exc: ValidationError):
    """A refused save shows the editor again with everything the user typed (nothing is lost)."""
    _errors(request, exc)
    if not letters.may_write(user=request.user, issuer=letter.issuer) or letter.status != LetterStatus.DRAFT:
        return redirect("letter-detail", pk=letter.pk)
    status = 409 if isinstance(exc, letters.LetterEditConflict) else 200
    return render(request, "reports/letter_edit.html", _edit_context(letter, request.POST), status=status)


@login_required
@require_POST
def letter_move(request, pk: int, item_pk: int):
    """↑/↓ of an item: the editor's form is saved first, so what was typed is kept, then the item moves."""
    letter = _letter(request, pk)
    get_object_or_404(letter.items, pk=item_pk)
    delta = -1 if request.POST.get("direction") == "up" else 1
    # The editor's whole form comes along (an older page sends only the direction).
    payload = _edit_payload(request.POST, letter) if "revision" in request.POST else None
    try:
        with transaction.atomic():
            if payload is not None:
                letter = letters.letter_update(letter=letter, user=request.user, **payload)
            if payload is None or item_pk not in payload["remove"]:
                letters.letter_move(letter=letter, user=request.user, item_id=item_pk, delta=delta)
    except ValidationError as exc:
        return _edit_again(request, letter, exc)
    return redirect("letter-edit", pk=letter.pk)


def _action(request, pk: int, service, success: str, target: str = "letter-detail"):
    letter = _letter(request, pk)
    try:
        result = service(letter=letter, user=request.user)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("letter-detail", pk=letter.pk)
    messages.success(request, success)
    return redirect(target, pk=result.pk)


@login_required
@require_POST
def letter_approve(request, pk: int):
    """The signatory's «Согласовать» carries the revision they read: a text changed since then is not approved."""
    letter = _letter(request, pk)
    try:
        letters.letter_approve(letter=letter, user=request.user, revision=request.POST.get("revision"))
    except letters.LetterApprovalStale as exc:
        # The page shown again is the current text, to read before approving it (409: the form was stale).
        _errors(request, exc)
        response = letter_detail(request, pk)
        response.status_code = 409
        return response
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("letter-detail", pk=letter.pk)
    messages.success(request, "Письмо согласовано подписантом.")
    return redirect("letter-detail", pk=letter.pk)


@login_required
@require_POST
def letter_reopen(request, pk: int):
    return _action(request, pk, letters.letter_reopen, "Письмо возвращено в черновик.", "letter-edit")


@login_required
@require_POST
def letter_issue(request, pk: int):
    return _action(request, pk, letters.letter_issue, "Письмо зарегистрировано: присвоены номер и дата, PDF сохранен.")


@login_required
@require_POST
def letter_correct(request, pk: int):
    letter = _letter(request, pk)
    started = letter.corrections.filter(status=LetterStatus.DRAFT).exists()
    success = (
        "Проект письма взамен зарегистрированного уже начат: открыт он."
        if started
        else "Создан проект письма взамен зарегистрированного."
    )
    return _action(request, pk, letters.letter_correct, success, "letter-edit")


@login_required
@require_POST
def letter_read(request, pk: int):
    letter = _letter(request, pk)
    letters.receipt_confirm(letter=letter, user=request.user)
    messages.success(request, "Прочтение подтверждено.")
    return redirect("letter-detail", pk=letter.pk)


@login_required
def letter_pdf(request, pk: int):
    """An issued letter's stored PDF, served only if it still matches its hash; a draft's preview otherwise."""
    letter = _letter(request, pk)
    if letter.is_issued:
        try:
            content = letters.letter_pdf_verified(letter=letter)
        except letters.LetterTampered as exc:
            return HttpResponse(str(exc), status=409, content_type="text/plain; charset=utf-8")
        return _pdf(content, f"letter-{letter.pk}.pdf", inline=False)
    return _pdf(letters.letter_render(letter=letter, draft=True), f"letter-{letter.pk}-draft.pdf")
