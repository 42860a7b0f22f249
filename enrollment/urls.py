from django.urls import path

from enrollment import views

app_name = "enrollment"

urlpatterns = [
    path("", views.accounts, name="accounts"),
    path("details/", views.details, name="details"),
    path("settings/", views.settings_page, name="settings"),
]
