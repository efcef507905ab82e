"""Registry pages: registration flows, 'My data' with 'Who saw my data', officers' lists,
explicit reveal, queues for requests, duplicates, organisations and imports."""

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gotong.accounts.permissions import permission_holds_over
from gotong.core.exceptions import ApplicationError
from gotong.territory import selectors as territory_selectors
from gotong.territory.middleware import request_kelurahan
from gotong.ui.pages import form_error, gate, refused

from . import selectors, services
from .consent import consent_text
from .forms import (
    CaseDecisionForm,
    HouseholdForm,
    ImportForm,
    KioskForm,
    MemberFormSet,
    OrganisationForm,
    RegisterForm,
    RequestForm,
    ResolveForm,
    RevealForm,
    VolunteerForm,
)
from .models import AccessChannel, ConsentPurpose, OrganisationStatus


def _consent_help(kelurahan: Any) -> str:
    return consent_text(kelurahan_name=kelurahan.name, purpose=ConsentPurpose.AID).split(" Untuk")[
        0
    ]


# ------------------------------------------------------------------ own data


@gate("registry.register_self")
def register(request: HttpRequest, slug: str) -> HttpResponse:
    """Self-registration after phone login."""
    kelurahan = request_kelurahan(request)
    if selectors.person_for_user(kelurahan=kelurahan, user=request.user) is not None:
        return redirect("registry:me", slug=slug)
    form = RegisterForm(
        request.POST or None, kelurahan=kelurahan, consent_help=_consent_help(kelurahan)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.person_register_self(
                actor=request.user,  # type: ignore[arg-type]
                kelurahan=kelurahan,
                data=form.person_data(None),
                consents=form.cleaned_data["consents"],
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("You are registered. Thank you!"))
            return redirect("registry:me", slug=slug)
    return render(
        request, "registry/register.html", {"form": form, "title": _("Register as a resident")}
    )


@gate("registry.view_own_data")
def me(request: HttpRequest, slug: str) -> HttpResponse:
    """My data: what is held, my consents, who saw my data, my requests."""
    kelurahan = request_kelurahan(request)
    person = selectors.person_for_user(kelurahan=kelurahan, user=request.user)
    if person is None:
        return render(request, "registry/not_registered.html")
    request_form = RequestForm(request.POST or None)
    if request.method == "POST":
        try:
            if "withdraw" in request.POST:
                services.consent_withdraw(
                    actor=request.user, person=person, purpose=request.POST["withdraw"]
                )
                messages.success(request, _("Consent withdrawn."))
            elif "grant" in request.POST:
                services.consent_grant(
                    actor=request.user, person=person, purpose=request.POST["grant"]
                )
                messages.success(request, _("Consent given."))
            elif request_form.is_valid():
                services.data_request_submit(
                    actor=request.user,  # type: ignore[arg-type]
                    person=person,
                    kind=request_form.cleaned_data["kind"],
                    details=request_form.cleaned_data["details"],
                )
                messages.success(
                    request, _("Your request was sent. It will be answered within 3 x 24 hours.")
                )
            else:
                raise ApplicationError(_("Check the form."))
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        return redirect("registry:me", slug=slug)
    consents = list(selectors.consent_list_for_person(kelurahan=kelurahan, person=person))
    in_force = {c.purpose for c in consents if c.withdrawn_at is None}
    return render(
        request,
        "registry/me.html",
        {
            "person": person,
            "data": services.person_tier1(person=person, actor=request.user),
            "own": services.person_own_tier2(person=person),
            "consents": consents,
            "missing_purposes": [p for p in ConsentPurpose if p not in in_force],
            "accesses": selectors.data_access_list_for_person(kelurahan=kelurahan, person=person),
            "requests": selectors.data_request_list_for_person(kelurahan=kelurahan, person=person),
            "request_form": request_form,
            "volunteer": selectors.volunteer_for_person(kelurahan=kelurahan, person=person),
        },
    )


@gate("registry.view_own_data")
def me_export(request: HttpRequest, slug: str) -> HttpResponse:
    """Download everything held about me as JSON."""
    kelurahan = request_kelurahan(request)
    person = selectors.person_require_for_user(kelurahan=kelurahan, user=request.user)
    export = services.person_data_export(actor=request.user, person=person)  # type: ignore[arg-type]
    response = HttpResponse(
        json.dumps(export, ensure_ascii=False, indent=2, default=str),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="data-saya.json"'
    response["Cache-Control"] = "no-store"
    return response


@gate("registry.volunteer_signup")
def volunteer_signup(request: HttpRequest, slug: str) -> HttpResponse:
    """Offer skills and a weekly time window as a volunteer."""
    kelurahan = request_kelurahan(request)
    person = selectors.person_require_for_user(kelurahan=kelurahan, user=request.user)
    if not selectors.skill_list(kelurahan=kelurahan).exists():
        services.skill_defaults_ensure(kelurahan=kelurahan)
    skills = [(s.code, s.name) for s in selectors.skill_list(kelurahan=kelurahan)]
    form = VolunteerForm(request.POST or None, skills=skills)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.volunteer_signup(
                actor=request.user,  # type: ignore[arg-type]
                person=person,
                skill_codes=data["skills"],
                windows=[(day, data["start"], data["end"]) for day in data["days"]],
                max_tasks_per_week=data["max_tasks_per_week"],
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Thank you for volunteering!"))
            return redirect("registry:me", slug=slug)
    return render(request, "registry/form.html", {"form": form, "title": _("Become a volunteer")})


# -------------------------------------------------------- registration by others


@gate("registry.register_household")
def household_new(request: HttpRequest, slug: str, rt_id: int) -> HttpResponse:
    """The RT head registers a household of their RT (proxy)."""
    kelurahan = request_kelurahan(request)
    rt = territory_selectors.rt_get(kelurahan=kelurahan, pk=rt_id)
    form = HouseholdForm(request.POST or None)
    members = MemberFormSet(request.POST or None, prefix="m")
    if request.method == "POST" and form.is_valid() and members.is_valid():
        filled = [f for f in members.forms if f.has_changed() and f.cleaned_data]
        try:
            services.household_register(
                actor=request.user,
                kelurahan=kelurahan,
                rt=rt,
                address=form.cleaned_data["address"],
                kk_number=form.cleaned_data["kk_number"],
                members=[f.person_data(rt) for f in filled],
                consents=form.cleaned_data["consents"],
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Household registered."))
            return redirect("registry:persons", slug=slug)
    return render(request, "registry/household.html", {"form": form, "members": members, "rt": rt})


@gate("registry.register_kiosk")
def kiosk(request: HttpRequest, slug: str) -> HttpResponse:
    """Kiosk at the kelurahan office or posyandu: an operator registers with the paper form."""
    kelurahan = request_kelurahan(request)
    form = KioskForm(
        request.POST or None,
        request.FILES or None,
        kelurahan=kelurahan,
        consent_help=_consent_help(kelurahan),
    )
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_register_kiosk(
                actor=request.user,
                kelurahan=kelurahan,
                data=form.person_data(None),
                consents=form.cleaned_data["consents"],
                evidence=form.cleaned_data.get("evidence"),
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Resident registered."))
            if getattr(person, "merge_case", None) is not None:
                messages.warning(
                    request, _("This NIK is already registered: a merge proposal was opened.")
                )
            return redirect("registry:kiosk", slug=slug)
    return render(
        request,
        "registry/register.html",
        {"form": form, "title": _("Kiosk registration"), "multipart": True},
    )


@login_required
def organisation_new(request: HttpRequest, slug: str) -> HttpResponse:
    """A UMKM, donor, community group, agency or health post asks to take part."""
    kelurahan = request_kelurahan(request)
    form = OrganisationForm(request.POST or None, kelurahan=kelurahan)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_register(
                actor=request.user, kelurahan=kelurahan, **form.cleaned_data
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Thank you! An operator will check and approve it."))
            return redirect("registry:organisations", slug=slug)
    return render(
        request, "registry/form.html", {"form": form, "title": _("Register an organisation")}
    )


def organisations(request: HttpRequest, slug: str) -> HttpResponse:
    """Approved organisations (public); the approval queue for operators."""
    kelurahan = request_kelurahan(request)
    may_decide = permission_holds_over(request.user, "registry.approve_organisation", kelurahan)
    if request.method == "POST" and may_decide:
        try:
            organisation = selectors.organisation_get(
                kelurahan=kelurahan, pk=int(request.POST.get("organisation", 0))
            )
            services.organisation_decide(
                actor=request.user,
                organisation=organisation,
                approve=request.POST.get("approve") == "1",
                note=request.POST.get("note", ""),
            )
        except (ApplicationError, ValueError) as exc:
            messages.error(request, str(getattr(exc, "message", exc)))
        return redirect("registry:organisations", slug=slug)
    return render(
        request,
        "registry/organisations.html",
        {
            "approved": selectors.organisation_list(kelurahan=kelurahan),
            "pending": selectors.organisation_list(
                kelurahan=kelurahan, status=OrganisationStatus.PENDING
            )
            if may_decide
            else [],
        },
    )


# ------------------------------------------------------------- residents (Tier 1/2)


@gate("registry.view_persons")
def persons(request: HttpRequest, slug: str) -> HttpResponse:
    """Residents the viewer may see (their RT, RW or the kelurahan); every row is logged."""
    kelurahan = request_kelurahan(request)
    queryset = selectors.person_list_for_viewer(kelurahan=kelurahan, user=request.user)
    rt_id = request.GET.get("rt")
    rt = None
    if rt_id and rt_id.isdigit():
        rt = territory_selectors.rt_get(kelurahan=kelurahan, pk=int(rt_id))
        queryset = queryset.filter(rt=rt)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    # Only the residents on the page shown are read, so only they get an access-log row.
    rows = services.person_list_view(
        actor=request.user, kelurahan=kelurahan, persons=list(page.object_list), rt=rt
    )
    return render(
        request,
        "registry/persons.html",
        {
            "rows": rows,
            "total": page.paginator.count,
            "rt": rt,
            "page": page,
            "query": f"rt={rt.pk}&" if rt else "",
        },
    )


@gate("registry.view_persons")
def person(request: HttpRequest, slug: str, person_id: int) -> HttpResponse:
    """One resident's Tier-1 data; Tier-2 only after choosing a purpose (logged)."""
    kelurahan = request_kelurahan(request)
    target = selectors.person_get(kelurahan=kelurahan, pk=person_id)
    form = RevealForm(request.POST or None)
    revealed: dict[str, str] = {}
    try:
        data = services.person_view(actor=request.user, person=target, channel=AccessChannel.PAGE)
        if request.method == "POST" and form.is_valid():
            revealed = services.person_reveal(
                actor=request.user,
                person=target,
                fields=form.cleaned_data["tier2"],
                purpose=form.cleaned_data["purpose"],
            )
    except ApplicationError as exc:
        if request.method != "POST":
            return refused(request, exc)
        data = services.person_tier1(person=target, actor=request.user)
        form_error(form, exc)
    may_reveal = permission_holds_over(
        request.user, "registry.reveal_sensitive", target.rt or kelurahan
    )
    return render(
        request,
        "registry/person.html",
        {"data": data, "form": form if may_reveal else None, "revealed": revealed},
    )


# ------------------------------------------------------ operators' queues


@gate("registry.handle_requests")
def requests_queue(request: HttpRequest, slug: str) -> HttpResponse:
    """Open correction and erasure requests with their 3 x 24 hour deadline."""
    kelurahan = request_kelurahan(request)
    if request.method == "POST":
        form = ResolveForm(request.POST)
        try:
            data_request = selectors.data_request_get(
                kelurahan=kelurahan, pk=int(request.POST.get("request", 0))
            )
            if not form.is_valid():
                raise ApplicationError(_("Check the form."))
            services.data_request_resolve(
                actor=request.user,
                request=data_request,
                approve=form.cleaned_data["approve"],
                response=form.cleaned_data["response"],
            )
            messages.success(request, _("Request answered."))
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        return redirect("registry:requests", slug=slug)
    queue = selectors.data_request_queue(kelurahan=kelurahan, user=request.user)
    return render(request, "registry/requests.html", {"queue": queue, "form": ResolveForm()})


@gate("registry.manage_duplicates")
def duplicates(request: HttpRequest, slug: str) -> HttpResponse:
    """Possible duplicates for an operator to decide."""
    kelurahan = request_kelurahan(request)
    if request.method == "POST":
        form = CaseDecisionForm(request.POST)
        try:
            case = selectors.duplicate_case_get(
                kelurahan=kelurahan, pk=int(request.POST.get("case", 0))
            )
            if not form.is_valid():
                raise ApplicationError(_("Check the form."))
            services.duplicate_case_decide(
                actor=request.user, case=case, decision=form.cleaned_data["decision"]
            )
            messages.success(request, _("Decision recorded."))
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        return redirect("registry:duplicates", slug=slug)
    cases = list(selectors.duplicate_case_list(kelurahan=kelurahan)[:50])
    shown = services.person_list_view(
        actor=request.user,
        kelurahan=kelurahan,
        persons=[p for c in cases for p in (c.person, c.candidate)],
        purpose="duplicate_check",
    )
    by_id = {row["id"]: row for row in shown}
    pairs = [(c, by_id.get(c.person_id), by_id.get(c.candidate_id)) for c in cases]
    return render(request, "registry/duplicates.html", {"pairs": pairs, "form": CaseDecisionForm()})


@gate("registry.import")
def person_import(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload a CSV/XLSX list of residents: all rows or none, with a row report."""
    kelurahan = request_kelurahan(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    batch = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = services.person_import(
                actor=request.user,
                kelurahan=kelurahan,
                file_name=upload.name,
                content=upload.read(),
            )
        except ApplicationError as exc:
            form_error(form, exc)
    return render(
        request,
        "registry/import.html",
        {"form": form, "batch": batch, "columns": services.importing.ALL_COLUMNS},
    )


@gate("registry.import")
def import_report(request: HttpRequest, slug: str, batch_id: int) -> HttpResponse:
    """The row-by-row report of an import as CSV."""
    batch = selectors.import_batch_get(kelurahan=request_kelurahan(request), pk=batch_id)
    response = HttpResponse(services.report_csv(batch.report), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="laporan-impor-{batch.pk}.csv"'
    return response
