"""django-import-export resources: the shared base and one resource per
configuration model."""
