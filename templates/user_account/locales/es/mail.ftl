# Los correos, en español. Cada frase es texto sin formato (las plantillas HTML lo escapan); los
# enlaces van en líneas aparte, fuera de estas frases.
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
mail-datetime-pattern = %-d de %B de %Y, %H:%M UTC
mail-datetime-locale = es_ES

## Shared by every mail.
mail-greeting = Hola:
mail-greeting-named = Hola, { $display_name }:
mail-footer = { $product_name }. Este es un mensaje automático; las respuestas no se leen.

## The recovery mail: its link follows recovery-intro, its "this wasn't me" link follows
## recovery-not-you (in the HTML part, as a link reading recovery-cancel-link).
recovery-subject = { $product_name }: restablecimiento de su contraseña
recovery-intro = Un administrador ha iniciado el restablecimiento de la contraseña de su cuenta ({ $product_name }). Para elegir una contraseña nueva, abra este enlace:
# The same, when the user asked for the link themselves on the reset page.
recovery-intro-self = Alguien, probablemente usted, ha solicitado un enlace para restablecer la contraseña de su cuenta ({ $product_name }). Para elegir una contraseña nueva, abra este enlace:
recovery-expiry =
    El enlace solo se puede usar una vez y caduca el { $expires_at } ({ $ttl_minutes ->
        [one] un minuto
       *[other] { $ttl_minutes } minutos
    } después de su envío).
recovery-not-you = Si no lo ha solicitado usted, avise a su administrador en caso de que vuelva a ocurrir y anule el enlace (su contraseña no cambiará):
recovery-cancel-link = Anular el enlace

## The "your password was changed" notice (no link).
changed-subject = { $product_name }: se ha cambiado su contraseña
changed-body = La contraseña de su cuenta ({ $product_name }) se cambió el { $changed_at } mediante un enlace de restablecimiento.
changed-advice = Si fue usted, no tiene que hacer nada más. Si no, póngase en contacto de inmediato con su administrador.
