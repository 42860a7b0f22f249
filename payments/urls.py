from django.urls import path

from payments import views

app_name = "payments"

urlpatterns = [
    path("pay/", views.pay, name="pay"),
    path("guest/", views.guest_start, name="guest_start"),
    path("guest/pay/", views.guest_pay, name="guest_pay"),
    path("test-processor/<str:reference>/", views.dummy_checkout, name="dummy_checkout"),
    path("<str:confirmation_number>/", views.receipt, name="receipt"),
]
