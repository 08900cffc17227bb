"""Who is asking: the request's user (a session in the browser, or a bearer
token from an app, both resolved to ``request.user`` before the schema
runs) and whether they are staff who may use the staff part of the API."""

from casemodels.services.visibility import active_profile, sees_every_case


def user_of(info):
    request = info.context
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def staff_user(info):
    """The signed-in user if they are staff of the centre (an active staff
    profile, or a superuser); ``None`` otherwise. Staff fields resolve to
    null or empty for anyone else, exactly as for a case outside their
    scope: the API never tells an outsider what exists."""
    user = user_of(info)
    if user is None:
        return None
    if sees_every_case(user) or active_profile(user) is not None:
        return user
    return None
