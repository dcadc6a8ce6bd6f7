"""Reference ecommerce as a Django app: coupons, assigned coupon codes, enrollment requests."""
