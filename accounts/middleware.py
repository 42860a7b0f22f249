from django.shortcuts import redirect
from django.urls import resolve
from django.urls.exceptions import Resolver404

# What a restricted (PIN sign-in) session may still reach: the forced change itself, leaving, and
# switching language on that page.
ALLOWED_VIEWS = {"accounts:password_set_required", "accounts:logout", "set_language"}


class PasswordChangeRequiredMiddleware:
    """A user who signed in with an account PIN sees only the password change until it is done."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            try:
                view_name = resolve(request.path_info).view_name
            except Resolver404:
                view_name = None
            if view_name not in ALLOWED_VIEWS:
                return redirect("accounts:password_set_required")
        return self.get_response(request)
