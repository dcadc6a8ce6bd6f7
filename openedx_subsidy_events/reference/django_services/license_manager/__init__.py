"""Reference license-manager as a Django app: subscription plans, assigned licenses, enrollment requests."""
