# The mails, in Brazilian Portuguese. Plain text; see en/mail.ftl for the variables.

## How this language writes a date and time in a mail (a chrono strftime pattern and a POSIX
## locale for the month names). Times in mails are in UTC.
mail-datetime-pattern = %-d de %B de %Y, %H:%M UTC
mail-datetime-locale = pt_BR

## Shared by every mail.
mail-greeting = Olá,
mail-greeting-named = Olá, { $display_name },
mail-footer = { $product_name }. Esta é uma mensagem automática; as respostas não são lidas.

## The recovery mail: its link follows recovery-intro, its "this wasn't me" link follows
## recovery-not-you (in the HTML part, as a link reading recovery-cancel-link).
recovery-subject = { $product_name }: redefina sua senha
recovery-intro = Um administrador iniciou a redefinição da senha da sua conta ({ $product_name }). Para escolher uma nova senha, abra este link:
# The same, when the user asked for the link themselves on the reset page.
recovery-intro-self = Alguém, provavelmente você, pediu um link para redefinir a senha da sua conta ({ $product_name }). Para escolher uma nova senha, abra este link:
recovery-expiry =
    O link só pode ser usado uma vez e expira em { $expires_at } ({ $ttl_minutes ->
        [one] { $ttl_minutes } minuto
       *[other] { $ttl_minutes } minutos
    } após o envio).
recovery-not-you = Se não foi você que pediu isso, cancele o link (sua senha continuará a mesma) e avise seu administrador se isso se repetir:
recovery-cancel-link = Cancelar o link

## The "your password was changed" notice (no link).
changed-subject = { $product_name }: sua senha foi alterada
changed-body = A senha da sua conta ({ $product_name }) foi alterada em { $changed_at } por meio de um link de redefinição de senha.
changed-advice = Se foi você, não é preciso fazer mais nada. Se não foi, entre em contato com seu administrador imediatamente.
