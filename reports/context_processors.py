"""The unread notices count the navbar shows on every page."""

from django.utils.functional import SimpleLazyObject

from reports.notices import unread_count


def notices(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: a page that never renders the navbar (a file, a fragment) costs no query.
    return {"unread_notices": SimpleLazyObject(lambda: unread_count(user))}
