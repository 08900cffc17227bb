"""Content fingerprints of recent cases, for finding the same matter
arriving again through another channel (``casemodels.services.fingerprints``)."""

from django.db import models


class CaseFingerprint(models.Model):
    """One band of a recent case's MinHash signature: two cases with a band
    in common are compared by their text. Kept for the duplicate window
    only (pruned daily)."""

    case = models.ForeignKey("casemodels.Case", on_delete=models.CASCADE, related_name="fingerprints")
    band = models.BigIntegerField()
    received_at = models.DateTimeField()

    def __str__(self):
        return f"{self.case_id}:{self.band}"

    class Meta:
        indexes = [
            models.Index(fields=["band", "received_at"], name="fingerprint_band_received"),
            models.Index(fields=["received_at"], name="fingerprint_received"),
        ]
