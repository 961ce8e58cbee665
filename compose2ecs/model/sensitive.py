"""What marks a value as secret: its variable's name, or its shape (for masking and warnings).

One rule for every stage: `translate` warns about a secret-looking value stored in plain text,
`plan` masks it in `diff`, and the CLI renders it masked unless `--show-values` is given.
"""

from __future__ import annotations

import re

# Parts of a variable name that mark its value as secret (matched case-insensitively). KEY also
# covers API_KEY and ACCESS_KEY; a few false positives (MONKEY) cost only a masked value.
SECRET_NAME_PARTS = (
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "SECRET",
    "TOKEN",
    "KEY",
    "CREDENTIAL",
    "PRIVATE",
    "AUTH",
    "SESSION",
    "COOKIE",
    "SALT",
    "SIGNATURE",
    "DSN",
    "CONNECTION_STRING",
    "DATABASE_URL",
)

# Values that carry a secret whatever they are called: URLs with a password, `--password=x` flags,
# the argument after `--db-password` in a command (as JSON: `"--db-password", "x"`), and the shapes
# of well-known credentials (AWS access key ids, Stripe, GitHub, Slack, Google keys, JWTs, PEM keys).
_SECRET_VALUE = re.compile(
    r"://[^/\s:@]+:[^/\s@]+@"
    r"|(?i:passw(?:or)?d|secret|token|api[_-]?key)[=:]\S"
    r"|(?i:-(?:[\w-]*[_-])?(?:passw(?:or)?d|passphrase|secret|token|api[_-]?key|credentials?))\",\s*\""
    r"|\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"
    r"|\b[sr]k_(?:live|test)_[0-9A-Za-z]{10,}"
    r"|\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{20,})"
    r"|\bxox[abposr]-[A-Za-z0-9-]{10,}"
    r"|\bAIza[0-9A-Za-z_-]{35}"
    r"|\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+"
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----"
)


def secret_shaped(text: str) -> bool:
    """True when `text` carries a credential by its shape (or a password in a URL or flag)."""
    return bool(_SECRET_VALUE.search(text))


def looks_secret(name: str) -> bool:
    """True when a variable name suggests its value is a secret."""
    upper = name.upper()
    return any(part in upper for part in SECRET_NAME_PARTS)
