from django.urls import path, re_path

from payments import views

app_name = "payments"

urlpatterns = [
    path("pay/", views.pay, name="pay"),
    path("guest/", views.guest_start, name="guest_start"),
    path("guest/pay/", views.guest_pay, name="guest_pay"),
    path("test-processor/<str:reference>/", views.dummy_checkout, name="dummy_checkout"),
    re_path(
        r"^(?P<confirmation_number>PHX-[A-Z0-9]{5}-[A-Z0-9]{5})/$", views.receipt, name="receipt"
    ),
]
