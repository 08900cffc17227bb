"""The admin side of the authorisation matrix: the URL patterns of our apps,
found at test time from the URL resolver, each with the objects its ``pk``
names, and the class of an answer.

Our patterns: every pattern in a namespace of our apps' hooks and
viewsets (``OUR_NAMESPACES``, and any namespace that is neither Wagtail's
nor Django's admin, so that a screen added later is found), and, in the snippet viewsets of our models
(``wagtailsnippets_snippets_*``, ``wagtailsnippets_publishing_*``), the
index, add, edit, delete and inspect screens and every view our apps wrote
(the directory tree, the listings). Wagtail's own history, usage, copy and
revision screens of a snippet follow the same permission as its edit
screen and are left to Wagtail's tests."""

from django.apps import apps
from django.urls import URLResolver, get_resolver, reverse

from casemodels.models import AssessmentExclusion, Case, Notification, PersonalDataAccess, SupervisionNote, Warning

OUR_NAMESPACES = {
    "cases", "workbench", "analysis", "supervision_notes", "warnings", "outbox", "assessment_exclusions",
    "assessment_rollup", "dispatch_model", "api_tokens", "minsheng_imports", "bulletin_actions",
}
OUR_APPS = ("snippets", "publishing")
SNIPPET_SCREENS = {"list", "add", "edit", "delete", "inspect"}
OUR_MODULES = ("snippets.", "publishing.", "casemodels.", "api.", "cms.")
MISSING_PK = 999999
# Arguments other than pk, by name: a value that names something real.
EXTRA = {"action": "render", "kind": "unit", "direction": "up"}


def _ours(namespaces, name, module):
    namespace = namespaces[-1]
    if namespace in OUR_NAMESPACES or not namespaces[0].startswith(("wagtail", "admin")):
        return True  # a namespace our hooks registered (one added later is found here too)
    head, _, rest = namespace.partition("_")
    if head != "wagtailsnippets" or not rest.startswith(tuple(f"{app}_" for app in OUR_APPS)):
        return False
    return name in SNIPPET_SCREENS or module.startswith(OUR_MODULES)


def our_patterns():
    """{"namespace:name": (converters, model or None)} of our admin URL patterns."""
    found = {}

    def walk(patterns, namespaces=()):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, namespaces + ((pattern.namespace,) if pattern.namespace else ()))
            elif namespaces and pattern.name:
                callback = pattern.callback
                module = getattr(callback, "__module__", "")
                if _ours(namespaces, pattern.name, module):
                    model = getattr(callback, "view_initkwargs", {}).get("model")
                    found[":".join((*namespaces, pattern.name))] = (sorted(pattern.pattern.converters), model)

    walk(get_resolver().url_patterns)
    return found


PATTERNS = our_patterns()


def model_of(name, model):
    """The model whose pk the URL takes."""
    namespace = name.rsplit(":", 1)[0]
    if namespace == "cases" or namespace == "workbench":
        return Case
    if namespace == "supervision_notes" or name == "bulletin_actions:note_pdf":
        return SupervisionNote
    if namespace == "assessment_exclusions":
        return AssessmentExclusion
    if namespace in ("warnings", "outbox"):
        return Warning if namespace == "warnings" else Notification
    if namespace == "privacy_log":
        return PersonalDataAccess
    if namespace == "bulletin_actions":
        return apps.get_model("publishing", "Bulletin")
    if model is not None:
        return model if not isinstance(model, str) else apps.get_model(model)
    if namespace.startswith("wagtailsnippets_"):
        _prefix, app, model_name = namespace.split("_", 2)
        return apps.get_model(app, model_name)
    return None


def objects_for(w, model):
    """(in-scope object, out-of-scope object) of ``model`` in the world: the
    northern and southern ones where the model belongs to a unit; else the
    first row for both (configuration is not unit-scoped), or None."""
    scoped = {
        Case: (w.north.handling, w.south.handling),
        SupervisionNote: (w.north.note_issued, w.south.note_issued),
        AssessmentExclusion: (AssessmentExclusion.objects.get(case=w.north.excluded),
                              AssessmentExclusion.objects.get(case=w.south.excluded)),
        Warning: (w.north.warning, w.south.warning),
        Notification: (w.north.message, w.south.message),
        PersonalDataAccess: (w.north.access, w.south.access),
    }
    if model in scoped:
        return scoped[model]
    label = model._meta.label_lower if model is not None else ""
    if label == "snippets.staffprofile":
        return w.users["handler"].staff_profile, w.helpers.handler_s.staff_profile
    if label == "snippets.unit":
        return w.unit_n, w.unit_s
    first = model._default_manager.order_by("pk").first() if model is not None else None
    return first, first


def url_for(w, name, side):
    """The URL of pattern ``name`` for ``side`` ("in" or "out"); the pk of an object that does not exist
    when the world has none (the URL is then about who gets a 404 and who is refused before)."""
    converters, model = PATTERNS[name]
    kwargs = {key: EXTRA[key] for key in converters if key != "pk"}
    if "pk" in converters:
        inside, outside = objects_for(w, model_of(name, model))
        chosen = inside if side == "in" else outside
        kwargs["pk"] = chosen.pk if chosen is not None else MISSING_PK
    return reverse(name, kwargs=kwargs)


def has_sides(w, name):
    """True when the URL takes a pk and the world has an in-scope and an out-of-scope object for it."""
    converters, model = PATTERNS[name]
    if "pk" not in converters:
        return False
    inside, outside = objects_for(w, model_of(name, model))
    return inside is not None and outside is not None and inside.pk != outside.pk


def answer_class(response):
    """O ok (200), L sign in first, D refused (403, or Wagtail's redirect to the
    admin home), N not found, R another redirect, M method not allowed, B bad request."""
    code = response.status_code
    if code in (301, 302):
        location = response["Location"]
        if location.startswith(reverse("wagtailadmin_login")):
            return "L"
        return "D" if location == reverse("wagtailadmin_home") else "R"
    return {200: "O", 403: "D", 404: "N", 405: "M", 400: "B"}.get(code, str(code))


def body_of(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")
