"""The outbox: sending the notifications the warning sweep queued.

Senders are pluggable, one per channel, by dotted path in the setting
``MINSHENG_NOTIFICATION_SENDERS`` (``{"in_app": …, "email": …, "sms": …}``;
a channel left out keeps its default). A sender is a callable (or a class
whose instances are) taking the ``Notification``; it returns when the
message is sent and raises when it is not. Provided here:

- ``in_app_sender`` (default for ``in_app``): nothing to send; the
  notification itself is the message in the admin, marked sent;
- ``log_sender`` (default for ``email`` and ``sms``): writes the message to
  the log (``casemodels.outbox``), the recipient's name, phone and e-mail
  address masked, and marks it sent — a demo or test centre sends nothing
  outside;
- ``email_sender``: Django mail (``EMAIL_*`` settings, ``DEFAULT_FROM_EMAIL``);
- ``HttpSmsSender``: an SMS gateway over HTTP: ``POST`` of
  ``{"phone": …, "message": …, "message_id": …}`` as JSON to
  ``MINSHENG_SMS_GATEWAY_URL``, with ``Authorization: Bearer
  <MINSHENG_SMS_GATEWAY_TOKEN>`` when a token is set, within
  ``MINSHENG_SMS_GATEWAY_TIMEOUT`` seconds; any 2xx answer is success.

Every attempt at one notification carries the same key
(``idempotency_key``): the SMS gateway gets it as ``message_id`` and as the
``Idempotency-Key`` header, an e-mail as its ``Message-ID`` (and the
notification's id in ``X-Minsheng-Notification``). A worker that dies after
the message left but before it was marked sent leaves it due again after
``CLAIM``, and it is sent again: with the same key, so a gateway or mail
system that drops duplicates delivers it once.

``deliver_due(now)`` sends the pending notifications whose
``next_attempt_at`` has come, one by one (the in-app ones with the default
sender, which has nothing to send, all at once). Each is first claimed by a
conditional ``UPDATE`` (still pending, same attempt count, still due), which
also counts the attempt and moves ``next_attempt_at`` on by ``CLAIM``, so
two workers never send the same one at once, and one claimed by a worker
that died becomes due again after ``CLAIM``. A failure is retried with
exponential back-off (``MINSHENG_OUTBOX_BACKOFF_SECONDS`` × 2^(attempts−1),
at most ``MAX_BACKOFF``) until ``MINSHENG_OUTBOX_MAX_ATTEMPTS`` attempts —
by default 10 attempts, 1, 2, 4 … 256 minutes apart, about 8½ hours from
the first to the last, so that a gateway or mail server down for a few hours
loses nothing — then the notification is failed, with its last error, in
the admin's outbox. There ``retry_now`` gives one failed notification one
more attempt at once, and ``retry_failed`` puts every failed one of a list
(the outbox as filtered) back in the queue for the next delivery run."""

import datetime
import json
import logging
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from snippets.models import WarningRule
from snippets.services.masking import mask_email, mask_name, mask_phone, mask_text

from ..models import Assignment, Notification, Warning
from .base import R, Actor, InvalidState
from .visibility import active_profile, sees_every_case, visible_cases

log = logging.getLogger("casemodels.outbox")

S = Notification.Status
CLAIM = datetime.timedelta(minutes=5)
MAX_BACKOFF = datetime.timedelta(hours=6)
DEFAULT_SENDERS = {
    Notification.Channel.IN_APP: "casemodels.services.outbox.in_app_sender",
    Notification.Channel.EMAIL: "casemodels.services.outbox.log_sender",
    Notification.Channel.SMS: "casemodels.services.outbox.log_sender",
}


class SendError(Exception):
    """A sender could not send a message."""


# The defaults of MINSHENG_OUTBOX_MAX_ATTEMPTS and MINSHENG_OUTBOX_BACKOFF_SECONDS (config/settings.py).
DEFAULT_MAX_ATTEMPTS = 10
DEFAULT_BACKOFF_SECONDS = 60


def max_attempts():
    return int(getattr(settings, "MINSHENG_OUTBOX_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def backoff(attempts):
    """How long to wait after the ``attempts``-th failed attempt."""
    base = float(getattr(settings, "MINSHENG_OUTBOX_BACKOFF_SECONDS", DEFAULT_BACKOFF_SECONDS))
    return min(datetime.timedelta(seconds=base * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def retry_span():
    """How long the outbox keeps trying a message that fails every time:
    from the first attempt to the last."""
    return sum((backoff(n) for n in range(1, max_attempts())), datetime.timedelta())


def sender_path(channel):
    return {**DEFAULT_SENDERS, **getattr(settings, "MINSHENG_NOTIFICATION_SENDERS", {})}[channel]


def sender_for(channel):
    sender = import_string(sender_path(channel))
    return sender() if isinstance(sender, type) else sender


# --- The message -------------------------------------------------------------------------------
D = WarningRule.Deadline
# A deadline rule's message names the deadline it watches.
DEADLINE_BODIES = {
    D.SIGN: gettext_lazy("Case %(number)s: %(rule)s (%(level)s). Sign-for due: %(due)s."),
    D.CONTACT: gettext_lazy("Case %(number)s: %(rule)s (%(level)s). First contact due: %(due)s."),
    D.REPLY: gettext_lazy("Case %(number)s: %(rule)s (%(level)s). Reply due: %(due)s."),
    D.COMPLETION: gettext_lazy("Case %(number)s: %(rule)s (%(level)s). Completion due: %(due)s."),
}
DEADLINE_KINDS = (WarningRule.Kind.NEAR_DUE, WarningRule.Kind.OVERDUE)
CASE_DUE_FIELDS = {D.SIGN: "sign_due", D.CONTACT: "contact_due", D.REPLY: "reply_due", D.COMPLETION: "completion_due"}


def watched_deadline(warning):
    """The deadline a near-due or overdue warning is about, as it stands
    now: for the sign-for deadline the sign-for deadline of the assignment
    watched (the warning's occurrence), else the case's own deadline; None
    for the other kinds of rule, or when the case has no such deadline."""
    rule, case = warning.rule, warning.case
    if rule.kind not in DEADLINE_KINDS or rule.deadline not in CASE_DUE_FIELDS:
        return None
    if rule.deadline == D.SIGN:
        watched = Assignment.objects.filter(pk=warning.occurrence, case_id=case.pk).values_list("sign_due", flat=True)
        due = next(iter(watched), None)
        if due is not None:
            return due
    return getattr(case, CASE_DUE_FIELDS[rule.deadline])


def message(notification):
    """``(subject, body)`` of a notification, in the active language. No
    text of the case goes out (its title may name the citizen, and mail and
    SMS leave the system for people who may not read personal data): the
    number, the rule, the level, and for a deadline rule the deadline it
    watches (sign-for, first contact, reply or completion); the rest is in
    the admin."""
    warning = notification.warning
    case, rule = warning.case, warning.rule
    due = watched_deadline(warning)
    values = {
        "level": warning.get_level_display(), "rule": rule.name, "number": case.number,
        "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M") if due else "",
    }
    subject = _("[%(level)s] %(rule)s: case %(number)s") % values
    if due is None:
        body = _("Case %(number)s: %(rule)s (%(level)s).") % values
    else:
        body = str(DEADLINE_BODIES[rule.deadline]) % values
    return subject, body


def idempotency_key(notification):
    """The key every attempt at ``notification`` carries, so that the
    receiving side can drop a second copy (see the module docstring)."""
    return f"minsheng-notification-{notification.pk}"


def masked_address(notification):
    """The recipient's phone or e-mail address as the log may show it."""
    if notification.channel == Notification.Channel.EMAIL:
        return mask_email(notification.address)
    if notification.channel == Notification.Channel.SMS:
        return mask_phone(notification.address)
    return mask_text(notification.address)


# --- Senders -------------------------------------------------------------------------------------
def in_app_sender(notification):
    """The notification is the message in the admin: nothing to send."""


def log_sender(notification):
    """Write the message to the log instead of sending it. The log is no
    staff view: the recipient's name, phone and e-mail address are masked
    (张**, 138****1234, a***@example.org); the notification's id finds them
    in the admin's outbox."""
    subject, body = message(notification)
    log.info("Notification %s, %s to %s <%s>: %s %s", notification.pk, notification.get_channel_display(),
             mask_name(notification.recipient_name), masked_address(notification), subject, body)


def email_domain():
    """The domain of the centre's sender address (``DEFAULT_FROM_EMAIL``),
    for Message-IDs that do not depend on the host sending them."""
    address = str(getattr(settings, "DEFAULT_FROM_EMAIL", "") or "")
    domain = address.rpartition("@")[2].strip().strip(">").strip()
    return domain or "localhost"


def email_sender(notification):
    """Django mail. The Message-ID is the notification's own
    (``<minsheng-notification-<id>@<domain of DEFAULT_FROM_EMAIL>>``, the
    same on every attempt) and ``X-Minsheng-Notification`` names it, so a
    mail system or reader that drops duplicate Message-IDs shows a message
    sent twice (a worker died after sending it) once."""
    if not notification.address:
        raise SendError(_("No e-mail address on file."))
    subject, body = message(notification)
    headers = {
        "Message-ID": f"<{idempotency_key(notification)}@{email_domain()}>",
        "X-Minsheng-Notification": str(notification.pk),
    }
    EmailMessage(subject, body, None, [notification.address], headers=headers).send(fail_silently=False)


class HttpSmsSender:
    """SMS through an HTTP gateway: ``POST`` of ``{"phone": …, "message": …,
    "message_id": …}`` as JSON, with ``Authorization: Bearer <token>`` when a
    token is set and ``Idempotency-Key: <message_id>``; any 2xx answer is
    success.

    ``message_id`` (``minsheng-notification-<id>``) is the same on every
    attempt at one notification: a worker that dies after the gateway took
    the message, but before it was marked sent, sends it again once its
    claim runs out, and a gateway that keeps the ids it has seen (most
    take a client message id or an ``Idempotency-Key``) drops the second copy
    instead of texting the person twice. Map it to the gateway's own field
    name in a subclass (``payload``) when it differs."""

    def __init__(self, url=None, token=None, timeout=None):
        self.url = url or getattr(settings, "MINSHENG_SMS_GATEWAY_URL", "")
        self.token = token if token is not None else getattr(settings, "MINSHENG_SMS_GATEWAY_TOKEN", "")
        self.timeout = float(timeout or getattr(settings, "MINSHENG_SMS_GATEWAY_TIMEOUT", 10))

    def __call__(self, notification):
        if not self.url:
            raise SendError(_("No SMS gateway is configured (MINSHENG_SMS_GATEWAY_URL)."))
        if not notification.address:
            raise SendError(_("No phone number on file."))
        key = idempotency_key(notification)
        payload = json.dumps(self.payload(notification, key), ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": key}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=payload, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            raise SendError(_("The SMS gateway answered %(status)s.") % {"status": exc.code}) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SendError(_("The SMS gateway could not be reached: %(error)s") % {"error": exc}) from exc
        if not 200 <= status < 300:
            raise SendError(_("The SMS gateway answered %(status)s.") % {"status": status})

    def payload(self, notification, key):
        """The JSON object posted to the gateway."""
        _subject, body = message(notification)
        return {"phone": notification.address, "message": body, "message_id": key}


# --- Delivery ------------------------------------------------------------------------------------
def claim(pk, attempts, now):
    """Take notification ``pk`` for one attempt; False when another worker
    took it first (or it is no longer pending and due)."""
    return Notification.objects.filter(
        pk=pk, status=S.PENDING, attempts=attempts, next_attempt_at__lte=now,
    ).update(attempts=attempts + 1, next_attempt_at=now + CLAIM) == 1


def deliver_one(pk, attempts, now):
    """Claim and send one notification. Returns ``"sent"``, ``"retry"``,
    ``"failed"`` or ``"taken"`` (claimed by another worker)."""
    if not claim(pk, attempts, now):
        return "taken"
    notification = Notification.objects.select_related(
        "warning__case", "warning__rule", "staff", "unit", "user",
    ).get(pk=pk)
    mine = Notification.objects.filter(pk=pk, status=S.PENDING, attempts=notification.attempts)
    try:
        sender_for(notification.channel)(notification)
    except Exception as exc:  # any sender failure is recorded, never lost
        error = (str(exc) or type(exc).__name__)[:2000]
        # A mail server's refusal may quote the address: the log gets it masked, the admin in full.
        log.warning("Notification %s failed (attempt %s): %s", pk, notification.attempts, mask_text(error))
        if notification.attempts >= max_attempts():
            mine.update(status=S.FAILED, last_error=error)
            return "failed"
        mine.update(next_attempt_at=now + backoff(notification.attempts), last_error=error)
        return "retry"
    mine.update(status=S.SENT, sent_at=now, last_error="")
    return "sent"


def mark_in_app_sent(now):
    """With the default in-app sender (nothing to send), mark every due
    in-app notification sent in one ``UPDATE``; returns how many."""
    if sender_path(Notification.Channel.IN_APP) != DEFAULT_SENDERS[Notification.Channel.IN_APP]:
        return 0
    return Notification.objects.filter(
        status=S.PENDING, channel=Notification.Channel.IN_APP, next_attempt_at__lte=now,
    ).update(status=S.SENT, sent_at=now, attempts=F("attempts") + 1, last_error="")


def deliver_due(now=None, *, limit=500, seconds=None):
    """Send the pending notifications that are due at ``now``, oldest first:
    at most ``limit`` of them one by one (and every in-app one at once with
    the default in-app sender), and with ``seconds`` no new one after that
    long. Returns the number of each outcome."""
    now = now or timezone.now()
    started = time.monotonic()
    outcomes = {"sent": mark_in_app_sent(now), "retry": 0, "failed": 0, "taken": 0}
    due = list(
        Notification.objects.filter(status=S.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id").values_list("pk", "attempts")[:limit]
    )
    for pk, attempts in due:
        if seconds is not None and time.monotonic() - started > seconds:
            break
        outcomes[deliver_one(pk, attempts, now)] += 1
    return outcomes


def check_retry(notification, actor):
    """Administrators retry notifications (the outbox is theirs)."""
    actor.require(R.ADMINISTRATOR)
    if notification.status != S.FAILED:
        # A pending one is retried by the worker (and may be in a worker's hands now).
        raise InvalidState(_("Only a failed notification can be retried; this one is %(status)s.")
                           % {"status": notification.get_status_display()})


def retry_now(notification, *, acting_user, now=None):
    """One more attempt, at once, for a failed notification (it fails again
    at once if that attempt fails). Returns the outcome (see
    ``deliver_one``) and the notification as it is now."""
    actor = Actor.of(acting_user)
    notification = Notification.objects.get(pk=notification.pk)
    check_retry(notification, actor)
    now = now or timezone.now()
    reopened = Notification.objects.filter(pk=notification.pk, status=S.FAILED).update(
        status=S.PENDING, next_attempt_at=now,
    )
    outcome = deliver_one(notification.pk, notification.attempts, now) if reopened else "taken"
    return outcome, Notification.objects.get(pk=notification.pk)


def retry_failed(notifications, *, acting_user, now=None):
    """Put every failed notification among ``notifications`` (a queryset:
    the admin's outbox as filtered) back in the queue, due at ``now``: the
    next delivery run (every minute) gives each one more attempt, as
    ``retry_now`` does for one (a failure fails it again at once). Sends
    nothing itself, so that a thousand of them after an outage do not wait
    on the gateway in a web request. One ``UPDATE``; returns how many were
    put back. Administrators only."""
    actor = Actor.of(acting_user)
    actor.require(R.ADMINISTRATOR)
    now = now or timezone.now()
    failed = notifications.filter(status=S.FAILED).order_by().values("pk")
    return Notification.objects.filter(pk__in=failed, status=S.FAILED).update(status=S.PENDING, next_attempt_at=now)


# --- Who sees the warnings and the outbox ---------------------------------------------------------
def manages_outbox(user):
    """Superusers and administrators manage the outbox: they see every
    notification in their scope (``visible_notifications``) and retry failed ones."""
    if sees_every_case(user):
        return True
    profile = active_profile(user)
    return profile is not None and profile.roles.filter(code=R.ADMINISTRATOR).exists()


def visible_warnings(user):
    """The warnings on the cases ``user`` may see (``visible_cases``)."""
    if sees_every_case(user):
        return Warning.objects.all()
    if active_profile(user) is None:
        return Warning.objects.none()
    return Warning.objects.filter(case__in=visible_cases(user))


def visible_notifications(user):
    """Every notification for a superuser; for staff their own, and their
    unit's when the unit itself was told; an administrator (who manages the
    outbox) also every notification about a case they may see
    (``visible_cases``): an administrator of a district does not read the
    messages about another district's cases."""
    if sees_every_case(user):
        return Notification.objects.all()
    profile = active_profile(user)
    if profile is None:
        return Notification.objects.none()
    own = Q(user=user) | Q(staff__isnull=True, unit_id=profile.unit_id)
    if manages_outbox(user):
        return Notification.objects.filter(own | Q(warning__case__in=visible_cases(user)))
    return Notification.objects.filter(own)
