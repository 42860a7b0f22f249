"""{% load phx_format %}: `|money`, `|number`, `|day` and `|moment` (phxpay/formatting.py) in templates and emails."""

from django import template

from phxpay import formatting

register = template.Library()


@register.filter
def money(amount):
    return formatting.money(amount)


@register.filter
def number(value):
    return formatting.number(value)


@register.filter
def day(value):
    return formatting.day(value)


@register.filter
def moment(value):
    return formatting.moment(value)
