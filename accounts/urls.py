from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("register/", views.register, name="register"),
    path("register/sent/", views.register_done, name="register_done"),
    path("register/confirm/", views.confirm, name="confirm"),
    path("register/confirm/<str:token>/", views.confirm_link, name="confirm_link"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", views.login_code, name="login_code"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/sent/", views.password_reset_sent, name="password_reset_sent"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("profile/", views.profile, name="profile"),
    path("profile/password/", views.password_change, name="password_change"),
    path("profile/two-step/", views.two_step, name="two_step"),
    path("profile/two-step/off/", views.two_step_off, name="two_step_off"),
    path("profile/email/", views.email_change, name="email_change"),
    path("profile/email/confirm/", views.email_change_confirm, name="email_change_confirm"),
    path("profile/email/confirm/<str:token>/", views.email_change_link, name="email_change_link"),
    path("profile/email/undo/", views.email_change_undo, name="email_change_undo"),
    path(
        "profile/email/undo/<str:token>/",
        views.email_change_undo_link,
        name="email_change_undo_link",
    ),
]
