from django.apps import AppConfig


class DeliveryAppConfig(AppConfig):
    name = "delivery_app"
    label = "delivery_app"
    default_auto_field = "django.db.models.BigAutoField"
