"""Reference enterprise-access as a Django app: subsidy requests, customers' configurations, emails."""
