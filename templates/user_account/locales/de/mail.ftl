# Die E-Mails auf Deutsch. Jeder Satz ist reiner Text (die HTML-Vorlagen maskieren ihn); die
# Links stehen in eigenen Zeilen, außerhalb dieser Sätze.
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
mail-datetime-pattern = %-d. %B %Y, %H:%M UTC
mail-datetime-locale = de_DE

## Shared by every mail.
mail-greeting = Guten Tag,
mail-greeting-named = Guten Tag { $display_name },
mail-footer = { $product_name }. Dies ist eine automatisch versendete Nachricht; Antworten werden nicht gelesen.

## The recovery mail: its link follows recovery-intro, its "this wasn't me" link follows
## recovery-not-you (in the HTML part, as a link reading recovery-cancel-link).
recovery-subject = { $product_name }: Passwort zurücksetzen
recovery-intro = Ein Administrator hat für Ihr Konto ({ $product_name }) das Zurücksetzen des Passworts veranlasst. Über diesen Link können Sie ein neues Passwort festlegen:
# The same, when the user asked for the link themselves on the reset page.
recovery-intro-self = Jemand, vermutlich Sie selbst, hat einen Link zum Zurücksetzen des Passworts für Ihr Konto ({ $product_name }) angefordert. Über diesen Link können Sie ein neues Passwort festlegen:
recovery-expiry =
    Der Link kann nur einmal verwendet werden und ist bis zum { $expires_at } gültig ({ $ttl_minutes ->
        [one] eine Minute
       *[other] { $ttl_minutes } Minuten
    } ab dem Versand).
recovery-not-you = Falls Sie das nicht angefordert haben, informieren Sie Ihren Administrator, wenn es wiederholt vorkommt, und sperren Sie den Link hier (Ihr Passwort bleibt dabei unverändert):
recovery-cancel-link = Link sperren

## The "your password was changed" notice (no link).
changed-subject = { $product_name }: Ihr Passwort wurde geändert
changed-body = Das Passwort Ihres Kontos ({ $product_name }) wurde am { $changed_at } über einen Link zum Zurücksetzen geändert.
changed-advice = Wenn Sie das selbst waren, ist nichts weiter zu tun. Andernfalls wenden Sie sich umgehend an Ihren Administrator.
