"""Masking for public outputs. The rules live in ``snippets.services.masking``
so that staff views (the workbench masks for roles without access to
personal data) and public outputs share one implementation."""

from snippets.services.masking import (  # noqa: F401
    mask_address, mask_email, mask_id_number, mask_name, mask_phone, mask_text,
)
