from django.urls import path

from billing import views

app_name = "billing"

urlpatterns = [
    path("<int:account_id>/bills/<int:bill_id>/", views.bill_page, name="bill"),
    path("<int:account_id>/bills/<int:bill_id>/pdf/", views.bill_pdf, name="bill_pdf"),
    path("<int:account_id>/bills.csv", views.bills_csv, name="bills_csv"),
]
