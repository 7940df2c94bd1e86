# The API's error messages and the password policy's feedback, in English: the `message` of
# every error answer and the sentences in a weak_password answer's `details`. The `code`s stay
# English and stable; only these sentences change with Accept-Language.
#
# Variables, by message: $detail (the JSON parser's own words, in English), $field and $other
# (a field's name), $max and $min (numbers), $limit (a size such as "8KiB"), $retry_after (a
# number of seconds), $min_length and $max_length (numbers).

## Errors of one request.
error-malformed-json = The request body is not valid JSON: { $detail }.
error-invalid-body = The request body does not match what this endpoint takes: { $detail }.
error-field-empty = `{ $field }` must not be empty.
error-field-control = `{ $field }` must not contain control characters.
error-field-too-long = `{ $field }` must be at most { $max } characters.
error-field-range = `{ $field }` must be a number from { $min } to { $max }.
error-field-one-of = Give exactly one of `{ $field }` and `{ $other }`.
error-body-too-large = The request body is larger than { $limit }.
error-request-timeout = The request body did not arrive in time.
error-unsupported-media-type = The request body must be sent as application/json.
error-unauthenticated = Valid bearer credentials are required.
error-forbidden = The credentials lack the scope this route needs.
error-not-found = No such resource.
error-method-not-allowed = This method is not allowed here.
error-not-acceptable = The answer is only available as application/json.
error-user-not-found = No user matches the request.
error-user-disabled = The user is disabled and cannot be recovered.
error-user-has-no-email = The user has no email address to send a recovery link to.
error-user-email-unusable = The user's stored email address cannot receive mail.
error-invalid-token = The recovery token is not valid.
error-invalid-idempotency-key = The Idempotency-Key header must be one key of 1 to 255 visible ASCII characters.
error-idempotency-key-reused = This Idempotency-Key was already used with another request.
error-request-refused = The request did not pass this site's check; try again.
error-too-short = The new password must be at least { $min_length } characters long.
error-too-long = The new password must be at most { $max_length } characters long.
error-too-guessable = The new password is too easy to guess; a few unrelated words make a strong one.
error-rate-limited =
    Too many requests; try again in { $retry_after ->
        [one] one second
       *[other] { $retry_after } seconds
    }.

## Errors known only by their status.
error-bad-request = The request could not be understood.
error-conflict = The request conflicts with the account's state.
error-body-too-large-generic = The request body is too large.
error-invalid-body-generic = The request body does not match what this endpoint takes.
error-rate-limited-later = Too many requests; try again later.
error-service-unavailable = The service is unavailable right now; try again shortly.
error-internal = Something went wrong on our side.
error-request-failed = The request failed.

## What makes a password easy to guess (a weak_password answer's `warning`).
password-warning-personal = Avoid your own name or email address.
password-warning-straight-rows = Straight rows of keys are easy to guess.
password-warning-short-keyboard-patterns = Short keyboard patterns are easy to guess.
password-warning-repeats = Repeats like "aaa" are easy to guess.
password-warning-repeated-patterns = Repeats like "abcabcabc" are only slightly harder to guess than "abc".
password-warning-top-10 = This is one of the ten most common passwords.
password-warning-top-100 = This is one of the hundred most common passwords.
password-warning-common = This is a very common password.
password-warning-similar-to-common = This is similar to a commonly used password.
password-warning-sequences = Sequences like abc or 6543 are easy to guess.
password-warning-recent-years = Recent years are easy to guess.
password-warning-single-word = A word by itself is easy to guess.
password-warning-dates = Dates are often easy to guess.
password-warning-names = Names and surnames by themselves are easy to guess.
password-warning-common-names = Common names and surnames are easy to guess.

## How to make it stronger (a weak_password answer's `suggestions`).
password-suggestion-few-words = Use a few words, and avoid common phrases.
password-suggestion-no-symbols-needed = No need for symbols, digits or uppercase letters.
password-suggestion-add-words = Add another word or two. Uncommon words are better.
password-suggestion-capitalization = Capitalization does not help very much.
password-suggestion-all-uppercase = All-uppercase is almost as easy to guess as all-lowercase.
password-suggestion-reversed-words = Reversed words are not much harder to guess.
password-suggestion-substitutions = Predictable substitutions like "@" instead of "a" do not help very much.
password-suggestion-longer-keyboard-pattern = Use a longer keyboard pattern with more turns.
password-suggestion-avoid-repeats = Avoid repeated words and characters.
password-suggestion-avoid-sequences = Avoid sequences.
password-suggestion-avoid-recent-years = Avoid recent years.
password-suggestion-avoid-your-years = Avoid years that are associated with you.
password-suggestion-avoid-your-dates = Avoid dates and years that are associated with you.
