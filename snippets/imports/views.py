"""Admin screens of the import flow: choose a kind and upload → the job page
(progress bar, preview, every bad row, confirm button) → done. Every view
asks the service who may import; the services do all the work."""

import io

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from ..models import ImportJob
from . import services
from .registry import UnknownImportKind, all_kinds, get_kind

CHECK_TASK = "snippets.imports.tasks.check_import_job_task"
APPLY_TASK = "snippets.imports.tasks.apply_import_job_task"


class ImportersOnly:
    """Superusers and administrators only (``services.may_import``)."""

    def dispatch(self, request, *args, **kwargs):
        if not services.may_import(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What to import"))
    file = forms.FileField(
        label=gettext_lazy("File"), help_text=gettext_lazy("XLSX or CSV, with the headers of the template in row 1."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.key, k.label) for k in all_kinds()]


class ImportIndexView(ImportersOnly, WagtailAdminTemplateMixin, FormView):
    template_name = "imports/index.html"
    form_class = UploadForm
    page_title = gettext_lazy("Import and export")
    header_icon = "download"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["kinds"] = all_kinds()
        context["jobs"] = ImportJob.objects.defer("data").select_related("created_by")[:20]
        context["max_mb"] = services.max_upload_bytes() // (1024 * 1024)
        return context

    def form_valid(self, form):
        try:
            job = services.create_import_job(form.cleaned_data["kind"], form.cleaned_data["file"], self.request.user)
        except services.ImportRefused as exc:
            form.add_error("file" if exc.code in ("bad_format", "too_large", "empty", "required") else None, exc.message)
            return self.form_invalid(form)
        services.enqueue(CHECK_TASK, job)
        return redirect("minsheng_imports:job", job.pk)


class JobView(ImportersOnly, WagtailAdminTemplateMixin, TemplateView):
    template_name = "imports/job.html"
    header_icon = "download"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.job = get_object_or_404(ImportJob.objects.defer("data"), pk=kwargs["pk"])

    def get_page_title(self):
        return _("Import: %(file)s") % {"file": self.job.file_name}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("minsheng_imports:index"), "label": _("Import and export")},
            {"url": "", "label": self.job.file_name},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            kind_label = get_kind(self.job.kind).label
        except UnknownImportKind:
            kind_label = self.job.kind
        context.update({
            "job": self.job, "kind_label": kind_label, "status": services.status_of(self.job),
            "can_confirm": self.job.status == ImportJob.Status.PREVIEWED and not self.job.errors,
            "status_url": reverse("minsheng_imports:status", args=[self.job.pk]),
        })
        return context


class ConfirmView(ImportersOnly, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        job = get_object_or_404(ImportJob.objects.defer("data"), pk=pk)
        try:
            services.confirm_import_job(job, acting_user=request.user)
        except services.ImportRefused as exc:
            messages.error(request, exc.message)
        else:
            services.enqueue(APPLY_TASK, job)
        return redirect("minsheng_imports:job", job.pk)


class StatusView(ImportersOnly, View):
    def get(self, request, pk):
        job = get_object_or_404(ImportJob.objects.defer("data"), pk=pk)
        return JsonResponse(services.status_of(job))


class TemplateDownloadView(ImportersOnly, View):
    """An empty XLSX with the Chinese headers of one kind."""

    def get(self, request, kind):
        from openpyxl import Workbook
        from openpyxl.styles import Font

        try:
            import_kind = get_kind(kind)
        except UnknownImportKind:
            raise Http404 from None
        book = Workbook()
        sheet = book.active
        sheet.title = str(import_kind.label)[:31]
        headers = import_kind.resource_class().template_headers()
        sheet.append(headers)
        for index, _header in enumerate(headers, start=1):
            cell = sheet.cell(row=1, column=index)
            cell.font = Font(bold=True)
            sheet.column_dimensions[cell.column_letter].width = 16
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(
            out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{import_kind.key}-template.xlsx"'
        return response


