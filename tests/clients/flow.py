"""The recovery flow through a Python client generated from the running server's document
(openapi-python-client), as a host's backend or script would write it: no cast, no `Any`, every
field read through its generated type. scripts/clients.sh generates `generated/user_account_client`,
type-checks this file and the client with `mypy --strict`, and runs it against the server.

Environment: BASE_URL (the server's origin), ADMIN_TOKEN (a bearer with the admin scope),
MAIL_DIR (where the server's file transport writes mails), USER_EMAIL (an account's address).
"""

import email
import email.policy
import os
import re
import sys
import time
from email.message import EmailMessage
from pathlib import Path
from uuid import UUID

from user_account_client import AuthenticatedClient, Client
from user_account_client.api.password_recovery import (
    change_password,
    password_recovery,
    recovery_status,
    recovery_tokens,
    verify_recovery_token,
)
from user_account_client.models import (
    DeliveryState,
    ErrorEnvelope,
    InvalidTokenError,
    OutstandingTokens,
    PasswordRecoveryByEmail,
    PasswordReset,
    PasswordTooGuessable,
    Queued,
    Reason,
    RecoveryStatus,
    TokenRequest,
    TokenState,
    VerdictInvalid,
    VerdictValid,
    WeakPasswordError,
)

TOKEN = re.compile(r"#token=([A-Za-z0-9_-]{43})")


def env(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        sys.exit(f"flow.py: {name} is not set")
    return value


def check(condition: bool, what: str) -> None:
    if not condition:
        sys.exit(f"flow.py: {what}")
    print(f"flow.py: ok: {what}")


BASE_URL = env("BASE_URL")
MAIL_DIR = Path(env("MAIL_DIR"))
EMAIL = env("USER_EMAIL")
admin = AuthenticatedClient(base_url=BASE_URL, token=env("ADMIN_TOKEN"), raise_on_unexpected_status=True)
public = Client(base_url=BASE_URL, raise_on_unexpected_status=True)


def token_mailed_to(to: str) -> str | None:
    """The recovery token of the newest mail to `to`."""
    token = None
    for path in sorted(MAIL_DIR.glob("*.eml"), key=lambda p: p.stat().st_mtime):
        with path.open("rb") as f:
            message = email.message_from_binary_file(f, _class=EmailMessage, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        if to in str(message["To"]) and isinstance(body, EmailMessage):
            found = TOKEN.search(body.get_content())
            token = found.group(1) if found else token
    return token


# Trigger, with an Idempotency-Key: a retry answers the first answer again.
key = f"flow-py-{time.time_ns()}"
first = password_recovery.sync(client=admin, body=PasswordRecoveryByEmail(email=EMAIL), idempotency_key=key)
if not isinstance(first, Queued):
    sys.exit(f"flow.py: trigger: {first}")
check(first.status.value == "queued", "the recovery is queued")
again = password_recovery.sync(client=admin, body=PasswordRecoveryByEmail(email=EMAIL), idempotency_key=key)
check(isinstance(again, Queued) and again.recovery_id == first.recovery_id, "a retry answers the same recovery")
recovery_id: UUID = first.recovery_id
user_id: str = first.user_id

# Status: the mail's and the token's states are enums.
status = None
for _ in range(100):
    status = recovery_status.sync(recovery_id, client=admin)
    if not isinstance(status, RecoveryStatus):
        sys.exit(f"flow.py: status: {status}")
    if status.delivery.state == DeliveryState.SENT:
        break
    time.sleep(0.1)
check(isinstance(status, RecoveryStatus) and status.token == TokenState.LIVE, "the token is live")
check(
    isinstance(status, RecoveryStatus)
    and status.delivery.state == DeliveryState.SENT
    and status.delivery.sent_at is not None
    and status.delivery.last_error is None,
    "the mail is sent",
)

# List: the user's live tokens.
listed = recovery_tokens.sync(client=admin, user_id=user_id)
check(
    isinstance(listed, OutstandingTokens) and [t.token_id for t in listed.tokens] == [recovery_id],
    "the one live token is listed",
)

# Verify the mailed token.
token = token_mailed_to(EMAIL)
if token is None:
    sys.exit(f"flow.py: no recovery mail to {EMAIL} in {MAIL_DIR}")
verdict = verify_recovery_token.sync(client=public, body=TokenRequest(token=token))
check(isinstance(verdict, VerdictValid) and "@" in verdict.email_hint, "the token verifies")

# A weak password: the typed suggestions say what to fix, and the token stays usable.
weak = change_password.sync(client=public, body=PasswordReset(token=token, new_password="passwordpassword"))
if not (isinstance(weak, ErrorEnvelope) and isinstance(weak.error, WeakPasswordError)):
    sys.exit(f"flow.py: weak password: {weak}")
details = weak.error.details
if not isinstance(details, PasswordTooGuessable):
    sys.exit(f"flow.py: weak password: {details}")
advice: list[str] = details.suggestions
check(details.score < details.min_score and len(advice) > 0, f"a weak password is refused: {' '.join(advice)}")

# Change.
changed = change_password.sync(
    client=public,
    body=PasswordReset(token=token, new_password="quarry violet harbor tandem", sign_out_everywhere=True),
)
check(
    not isinstance(changed, ErrorEnvelope) and changed is not None and changed.user_id == user_id,
    "the password is changed",
)

# Reuse: the typed reason says why the token no longer works.
reused = change_password.sync_detailed(
    client=public, body=PasswordReset(token=token, new_password="another violet harbor tandem")
)
error = reused.parsed.error if isinstance(reused.parsed, ErrorEnvelope) else None
check(
    reused.status_code == 400 and isinstance(error, InvalidTokenError) and error.details.reason == Reason.USED,
    "a used token is refused, reason `used`",
)
after = verify_recovery_token.sync(client=public, body=TokenRequest(token=token))
check(isinstance(after, VerdictInvalid) and after.reason == Reason.USED, "and verifies as used")
print("flow.py: the whole flow passed")
