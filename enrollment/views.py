from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def accounts(request):
    return render(request, "enrollment/accounts.html")


@login_required
def details(request):
    return render(request, "enrollment/details.html")


@login_required
def settings_page(request):
    return render(request, "enrollment/settings.html")
