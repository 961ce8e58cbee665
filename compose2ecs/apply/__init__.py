"""Stage 4, `apply`: a plan -> ordered, idempotent steps through a gateway interface (no boto3 here)."""
