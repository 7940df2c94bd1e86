// The recovery flow through a TypeScript client generated from the running server's document
// (openapi-typescript + openapi-fetch), as a host's frontend would write it: no cast, no `any`,
// every field read through its generated type. scripts/clients.sh generates `generated/api.d.ts`,
// type-checks this file with `tsc --strict` (and stricter), and runs it against the server.
//
// Environment: BASE_URL (the server's origin), ADMIN_TOKEN (a bearer with the admin scope),
// MAIL_DIR (where the server's file transport writes mails), USER_EMAIL (an account's address).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/api.js";

type Schemas = components["schemas"];

// The body is exactly one of `email` and `user_id`: the generated type refuses both.
// @ts-expect-error `user_id` is `null` at most next to `email`
const both: Schemas["PasswordRecovery"] = { email: "ann@example.org", user_id: "42" };
void both;

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === "") throw new Error(`${name} is not set`);
  return value;
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`flow.ts: ${what}`);
  console.log(`flow.ts: ok: ${what}`);
}

const baseUrl = env("BASE_URL");
const admin = { Authorization: `Bearer ${env("ADMIN_TOKEN")}` };
const mailDir = env("MAIL_DIR");
const email = env("USER_EMAIL");
const api = createClient<paths>({ baseUrl });

/** The recovery token of the newest mail to `to`, read from its quoted-printable text. */
function tokenMailedTo(to: string): string | undefined {
  const mails = readdirSync(mailDir)
    .filter((name) => name.endsWith(".eml"))
    .map((name) => join(mailDir, name))
    .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs);
  let token: string | undefined;
  for (const path of mails) {
    const text = readFileSync(path, "utf8")
      .replace(/=\r?\n/g, "")
      .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    if (!new RegExp(`^To: .*${to.replace(/[.]/g, "\\.")}`, "m").test(text)) continue;
    token = /#token=([A-Za-z0-9_-]{43})/.exec(text)?.[1] ?? token;
  }
  return token;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Trigger, with an Idempotency-Key: a retry answers the first answer again.
const key = `flow-ts-${Date.now()}`;
const trigger = () =>
  api.POST("/api/users/password-recovery", {
    params: { header: { "Idempotency-Key": key } },
    headers: admin,
    body: { email },
  });
const first = await trigger();
if (first.data === undefined) throw new Error(`trigger: ${first.response.status} ${first.error?.error.code}`);
check(first.data.status === "queued", "the recovery is queued");
const again = await trigger();
check(again.data?.recovery_id === first.data.recovery_id, "a retry with the same key answers the same recovery");
const { recovery_id: recoveryId, user_id: userId } = first.data;

// Status: the mail's state is a closed set, so a typo here would not compile.
let delivery: Schemas["Delivery"] | undefined;
for (let i = 0; i < 100 && delivery?.state !== "sent"; i++) {
  const status = await api.GET("/api/users/password-recovery/{recovery_id}", {
    params: { path: { recovery_id: recoveryId } },
    headers: admin,
  });
  if (status.data === undefined) throw new Error(`status: ${status.error?.error.code}`);
  check(status.data.token === "live", "the token is live");
  delivery = status.data.delivery;
  if (delivery.state !== "sent") await sleep(100);
}
check(delivery?.state === "sent" && delivery.sent_at !== null && delivery.last_error === null, "the mail is sent");

// List: the user's live tokens.
const listed = await api.GET("/api/users/recovery-tokens", {
  params: { query: { user_id: userId } },
  headers: admin,
});
const tokens = listed.data?.tokens ?? [];
check(tokens.length === 1 && tokens[0]?.token_id === recoveryId, "the one live token is listed");
check(tokens[0]?.requested_by !== null, "it names the admin who asked");

// Verify the mailed token.
const token = tokenMailedTo(email);
if (token === undefined) throw new Error(`no recovery mail to ${email} in ${mailDir}`);
const verified = await api.POST("/api/users/verify-recovery-token", { body: { token } });
const verdict = verified.data;
check(verdict?.valid === true && verdict.email_hint.includes("@"), "the token verifies");

// A weak password: the typed suggestions say what to fix, and the token stays usable.
const weak = await api.POST("/api/users/change-password", {
  body: { token, new_password: "passwordpassword" },
});
const refused = weak.error?.error;
if (refused?.code !== "weak_password") throw new Error(`weak password: ${weak.response.status} ${refused?.code}`);
const details = refused.details;
if (details.reason !== "too_guessable") throw new Error(`weak password: ${details.reason}`);
const advice: string[] = details.suggestions;
check(details.score < details.min_score && advice.length > 0, `a weak password is refused: ${advice.join(" ")}`);

// Change.
const changed = await api.POST("/api/users/change-password", {
  body: { token, new_password: "harbor cobalt meadow lantern", sign_out_everywhere: true },
});
check(changed.data?.status === "password_changed" && changed.data.user_id === userId, "the password is changed");

// Reuse: the typed reason says why the token no longer works.
const reused = await api.POST("/api/users/change-password", {
  body: { token, new_password: "another cobalt meadow lantern" },
});
const reason = reused.error?.error.code === "invalid_token" ? reused.error.error.details.reason : undefined;
check(reused.response.status === 400 && reason === "used", "a used token is refused, reason `used`");
const after = await api.POST("/api/users/verify-recovery-token", { body: { token } });
check(after.data?.valid === false && after.data.reason === "used", "and verifies as used");
console.log("flow.ts: the whole flow passed");
