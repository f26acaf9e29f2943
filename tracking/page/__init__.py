"""The shopper's tracking page: lookup, the order page and its cache, signed links, delivery-change
forms, branding and the Content-Security-Policy."""
