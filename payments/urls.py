from django.urls import path

from payments import views

app_name = "payments"

urlpatterns = [
    path("pay/", views.pay, name="pay"),
    path("test-processor/<str:reference>/", views.dummy_checkout, name="dummy_checkout"),
    path("<str:confirmation_number>/", views.receipt, name="receipt"),
]
