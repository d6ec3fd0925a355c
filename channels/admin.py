from django.contrib import admin

from channels.models import Channel
from core.admin import PlatformAdmin


@admin.register(Channel)
class ChannelAdmin(PlatformAdmin):
    list_display = ("name", "code", "push_mode", "inbound_mode", "commission_percent", "is_active")
