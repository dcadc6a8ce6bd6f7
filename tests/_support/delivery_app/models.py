"""A service's own tables in the delivery tests: requests it approves, licenses it grants."""

from django.db import models


class Approval(models.Model):
    request_uuid = models.UUIDField(unique=True)
    state = models.CharField(max_length=32)

    class Meta:
        app_label = "delivery_app"


class License(models.Model):
    request_uuid = models.UUIDField()  # not unique on purpose: a second grant is a duplicated effect to count

    class Meta:
        app_label = "delivery_app"
