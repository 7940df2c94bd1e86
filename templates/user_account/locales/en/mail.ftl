# The mails, in English. Every sentence here is plain text: the HTML templates escape it, and
# the links stand on lines of their own, outside these sentences.
#
# Variables the code passes to every message of this file:
#   $product_name  the product's name (mail.product_name)
#   $display_name  the account's name (may be empty: the templates then use mail-greeting)
#   $expires_at    when the link stops working, formatted with mail-datetime-pattern
#   $ttl_minutes   the link's lifetime in minutes (a number)
#   $changed_at    when the password was changed, formatted with mail-datetime-pattern

## How this language writes a date and time in a mail: a strftime pattern (chrono's; %B is the
## month's name and %A the day's, in the language of mail-datetime-locale, a POSIX locale such
## as de_DE). Keep the time zone in it: mails show times in UTC.
mail-datetime-pattern = %B %-d, %Y, %H:%M UTC
mail-datetime-locale = en_US

## Shared by every mail.
mail-greeting = Hello,
mail-greeting-named = Hello { $display_name },
mail-footer = { $product_name }. This is an automated message; replies are not read.

## The recovery mail: its link follows recovery-intro, its "this wasn't me" link follows
## recovery-not-you (in the HTML part, as a link reading recovery-cancel-link).
recovery-subject = { $product_name }: reset your password
recovery-intro = An administrator started a password reset for your account ({ $product_name }). To choose a new password, open this link:
# The same, when the user asked for the link themselves on the reset page.
recovery-intro-self = Someone, probably you, asked for a link to reset the password of your account ({ $product_name }). To choose a new password, open this link:
recovery-expiry =
    The link works once and expires on { $expires_at } ({ $ttl_minutes ->
        [one] one minute
       *[other] { $ttl_minutes } minutes
    } after it was sent).
recovery-not-you = If you did not ask for this, cancel the link (your password stays as it is), and tell your administrator if it keeps happening:
recovery-cancel-link = Cancel the link

## The "your password was changed" notice (no link).
changed-subject = { $product_name }: your password was changed
changed-body = The password of your account ({ $product_name }) was changed on { $changed_at } using a password-reset link.
changed-advice = If this was you, there is nothing more to do. If it was not, contact your administrator at once.
