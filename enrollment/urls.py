from django.urls import path

from enrollment import views

app_name = "enrollment"

urlpatterns = [
    path("", views.accounts, name="accounts"),
    path("first-sign-in/sent/", views.first_signin_sent, name="first_signin_sent"),
    path("first-sign-in/password/", views.first_signin_password, name="first_signin_password"),
    path("first-sign-in/<str:token>/", views.first_signin_link, name="first_signin_link"),
    path("enroll/", views.enroll, name="enroll"),
    path("details/", views.details_first, name="details_first"),
    path("settings/", views.settings_first, name="settings_first"),
    path("<int:account_id>/", views.details, name="details"),
    path("<int:account_id>/settings/", views.account_settings, name="settings"),
    path("<int:account_id>/remove/", views.remove, name="remove"),
    path("<int:account_id>/invite/", views.invite, name="invite"),
    path(
        "<int:account_id>/invitations/<int:invitation_id>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "<int:account_id>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
]
