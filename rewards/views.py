"""The traveller's rewards page: balance, tier and progress, history, and platform credit."""
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from bookings.payments.selectors import credit_balances_of, credit_entries_of
from rewards import config
from rewards.points import points_value
from rewards.selectors import balance_of, entries_of, tier_progress


@login_required
def rewards_page(request):
    balance = balance_of(user=request.user)
    page = Paginator(entries_of(user=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "rewards/rewards.html", {
        "balance": balance,
        "available_value": points_value(balance.available),
        "progress": tier_progress(user=request.user),
        "tiers": config.tiers(),
        "page": page,
        "expiry_days": config.expiry_days(),
        "cap_percent": format(config.redemption_cap_percent().normalize(), "f"),
        "point_value": format(config.point_value().normalize(), "f"),
        "credit_balances": credit_balances_of(user=request.user),
        "credit_entries": list(credit_entries_of(user=request.user)[:10]),
    })
