"""A Django app that makes our events known to openedx-events.

Add ``"openedx_subsidy_events.integrations.django_app"`` to ``INSTALLED_APPS``. The signals are
created when Django imports this app's configuration, which is before any app's ``ready()`` runs,
so openedx-events finds them whichever order the apps are listed in (it only loads its own).
"""
