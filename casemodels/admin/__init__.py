"""The staff workbench in the Wagtail admin, one module per screen; each
registers its own hooks when ``casemodels.wagtail_hooks`` imports it."""
