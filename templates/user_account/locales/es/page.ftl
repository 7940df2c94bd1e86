# La página de restablecimiento de contraseña, en español: cada frase, en cada estado.
#
# Variables:
#   $product_name  the product's name (mail.product_name)
#   $min, $max     the password's shortest and longest length (numbers)
#   $n             a number the page's script fills in (a count of characters, seconds,
#                  minutes or sessions); Spanish plural categories: [one], [many] (optional,
#                  large round numbers), *[other]
#   $wait          how long to wait, made by the script from wait-seconds, wait-minute or
#                  wait-minutes
#   $time          a date and time, formatted by the browser for this language
#   $title         a heading of the page
#   $email         the account's address as the page shows it (partly hidden)

## The page's frame.
page-title = Restablecer la contraseña
title = { $title } · { $product_name }
foot = ¿No ha pedido una contraseña nueva? Puede cerrar esta página: no cambiará nada mientras no se establezca una contraseña nueva. Por su seguridad, esta página quita el enlace de la barra de direcciones en cuanto lo ha leído.
foot-cancel = No cambiará nada hasta que pulse «Anular este enlace». Por su seguridad, esta página quita el enlace de la barra de direcciones en cuanto lo ha leído.
foot-cancel-after = Por su seguridad, esta página quita el enlace de la barra de direcciones en cuanto lo ha leído.

## Checking the link.
checking-title = Comprobando su enlace…
checking-body = Esto tardará solo un momento.
noscript = Esta página necesita JavaScript para comprobar su enlace y establecer su nueva contraseña. Active JavaScript para este sitio y vuelva a abrir el enlace de su correo electrónico.
retry = Volver a intentarlo

## A link that does not work, by reason.
reason-missing-title = Abra el enlace de su correo electrónico
reason-missing-body = Esta página necesita el enlace de un correo de restablecimiento de contraseña, y esta dirección no lo contiene. Si ha recargado la página, ese es el motivo: por su seguridad, el enlace se quita de la barra de direcciones en cuanto se ha leído.
reason-missing-next = Vuelva a abrir el enlace de su correo de restablecimiento más reciente. Si no tiene ninguno, pida a su administrador que le envíe uno.
reason-invalid-title = Este enlace no funciona
reason-invalid-body = Puede que se haya cortado al copiarlo, o que su cuenta haya cambiado después de que se enviara.
reason-invalid-next = Vuelva a abrir el enlace de su correo de restablecimiento más reciente. Si eso no lo soluciona, pida un enlace nuevo a su administrador.
reason-expired-title = Este enlace ha caducado
reason-expired-body = Los enlaces de restablecimiento solo funcionan durante un tiempo limitado, y el plazo de este ya ha vencido.
reason-expired-next = Pida a su administrador que le envíe un enlace nuevo.
reason-used-title = Este enlace ya se ha usado
reason-used-body = Cada enlace de restablecimiento funciona una sola vez, y con este ya se ha establecido una contraseña.
reason-used-next = Si la estableció usted, inicie sesión con esa contraseña nueva. Si no, pida de inmediato un enlace nuevo a su administrador.
reason-superseded-title = Se ha enviado un enlace más reciente
reason-superseded-body = Solo funciona el enlace del correo de restablecimiento más reciente; este ha sido sustituido por otro más nuevo.
reason-superseded-next = Abra el enlace de su correo más reciente de { $product_name }.
reason-cancelled-title = Este enlace se ha anulado
reason-cancelled-body = El restablecimiento se notificó como inesperado, así que este enlace se anuló.
reason-cancelled-next = Si de verdad quiere una contraseña nueva, pida un enlace nuevo a su administrador.
stopped-title = Este enlace ha dejado de funcionar
stopped-note = Su contraseña no se ha cambiado.

## The link could not be checked.
check-unavailable-title = No hemos podido comprobar su enlace
check-unavailable-body = El servicio no ha respondido. Compruebe su conexión y vuelva a intentarlo.
check-limited-title = Demasiados intentos
check-limited-body = Se han producido demasiados intentos desde su red. Espere { $wait } y vuelva a intentarlo.
wait-seconds =
    { $n ->
        [one] { $n } segundo
       *[other] { $n } segundos
    }
wait-minute = aproximadamente un minuto
wait-minutes =
    { $n ->
        [one] { $n } minuto
       *[other] { $n } minutos
    }

## Asking for a new link (only when self-service recovery is on): a form under a link that
## does not work, and on the page opened without a link.
new-link-intro = Puede pedir que le enviemos un enlace nuevo:
new-link-label = Su dirección de correo electrónico
new-link-button = Enviarme un enlace nuevo
new-link-busy = Enviando…
new-link-sent = Si existe una cuenta asociada a esta dirección, le llegará en breve un enlace nuevo. Revise su correo electrónico, incluida la carpeta de spam; el enlace solo funciona durante un tiempo limitado.
new-link-error-empty = Introduzca su dirección de correo electrónico.
new-link-error-limited = Demasiados intentos desde su red. Espere { $wait } y vuelva a pulsar «Enviarme un enlace nuevo».
new-link-error-unavailable = La solicitud no se ha enviado: el servicio no ha respondido. Compruebe su conexión y vuelva a intentarlo.
new-link-error-refused = La solicitud se ha rechazado. Recargue esta página y vuelva a intentarlo.

## Choosing the new password.
form-title = Elija una contraseña nueva
account-line = Para la cuenta { $email }.
expires = Este enlace es válido hasta el { $time }.
policy-intro = Su nueva contraseña debe:
policy-length = tener entre { $min } y { $max } caracteres (cuentan los espacios, los símbolos y las letras de cualquier idioma),
policy-common = no ser una contraseña común, ni su nombre ni su dirección de correo electrónico.
policy-tip = Unas cuantas palabras sin relación entre sí forman una contraseña segura y fácil de recordar.
new-password-label = Contraseña nueva
confirm-password-label = Confirmar contraseña nueva
show-passwords = Mostrar contraseñas
sign-out-label = Cerrar todas las sesiones
sign-out-help = Cierra todas las sesiones iniciadas con su cuenta, en todos los dispositivos y navegadores. Elija esta opción si cree que otra persona puede conocer su contraseña anterior.
submit = Establecer contraseña nueva
submit-busy = Guardando su contraseña…
hint-empty = Use entre { $min } y { $max } caracteres.
hint-short =
    { $n ->
        [one] { $n } carácter de un mínimo de { $min }
       *[other] { $n } caracteres de un mínimo de { $min }
    }
hint-ok =
    { $n ->
        [one] ✓ { $n } carácter: longitud suficiente
       *[other] ✓ { $n } caracteres: longitud suficiente
    }
hint-long =
    { $n ->
        [one] { $n } carácter: se permiten como máximo { $max }
       *[other] { $n } caracteres: se permiten como máximo { $max }
    }
live-ok = Longitud suficiente.
live-long = Demasiado larga.
match-yes = ✓ Las contraseñas coinciden.
match-no = Las contraseñas aún no coinciden.
error-empty = Introduzca una contraseña nueva.
error-short = Use al menos { $min } caracteres. Esta tiene { $n }.
error-long = Use como máximo { $max } caracteres. Esta tiene { $n }.
error-confirm-empty = Vuelva a escribir la contraseña nueva para confirmarla.
error-mismatch = Las dos contraseñas no son iguales. Escriba la misma contraseña en ambos campos.
error-guessable = Esta contraseña sería demasiado fácil de adivinar. Su enlace sigue funcionando: elija otra.
error-limited = Demasiados intentos desde su red. Espere { $wait } y vuelva a pulsar «Establecer contraseña nueva». Lo que ha escrito se conserva.
error-unavailable = Su contraseña no se ha cambiado: el servicio no ha respondido. Compruebe su conexión y vuelva a intentarlo.
error-refused = Su contraseña no se ha cambiado: la solicitud se ha rechazado. Vuelva a abrir el enlace de su correo electrónico.

## The "this wasn't me" link.
cancel-title = ¿Anular este enlace de restablecimiento?
cancel-body = Alguien ha solicitado restablecer la contraseña de esta cuenta. Si no ha sido usted, anule este enlace; su contraseña no cambiará.
cancel-button = Anular este enlace
cancel-hint = Si usted sí pidió una contraseña nueva, cierre esta página y abra el otro enlace del correo, el que sirve para elegir una contraseña nueva.
cancel-busy = Anulando el enlace…
cancel-error-limited = Demasiados intentos desde su red. Espere { $wait } y vuelva a pulsar «Anular este enlace».
cancel-error-unavailable = El enlace no se ha anulado: el servicio no ha respondido. Compruebe su conexión y vuelva a intentarlo.
cancel-error-refused = El enlace no se ha anulado: la solicitud se ha rechazado. Vuelva a abrir el enlace de su correo electrónico.
cancel-reason-invalid-title = Este enlace ya no es válido
cancel-reason-invalid-body = No funciona: puede que se haya cortado al copiarlo, o que su cuenta haya cambiado después de que se enviara. Nadie puede establecer una contraseña con él.
cancel-reason-invalid-next = Su contraseña no ha cambiado. Si sigue recibiendo correos de restablecimiento que no ha solicitado, avise a su administrador.
cancel-reason-expired-title = Este enlace ya no es válido
cancel-reason-expired-body = Ha caducado, así que ya nadie puede establecer una contraseña con él y no queda nada que anular. Su contraseña no ha cambiado.
cancel-reason-expired-next = Si sigue recibiendo correos de restablecimiento que no ha solicitado, avise a su administrador.
cancel-reason-used-title = Este enlace ya no es válido
cancel-reason-used-body = Ya se ha establecido una contraseña nueva con este enlace, por lo que ya no se puede anular.
cancel-reason-used-next = Si no la estableció usted, avise de inmediato a su administrador: es posible que otra persona pueda iniciar sesión en su cuenta.
cancel-reason-superseded-title = Este enlace ya no es válido
cancel-reason-superseded-body = Después de este se envió un enlace de restablecimiento más reciente, y solo funciona el más reciente, así que nadie puede establecer una contraseña con este.
cancel-reason-superseded-next = Si tampoco pidió el más reciente, anúlelo también con el enlace de su correo más reciente de { $product_name } y avise a su administrador.
cancel-reason-cancelled-title = Este enlace ya estaba anulado
cancel-reason-cancelled-body = Nadie puede establecer una contraseña con él. Su contraseña no ha cambiado.
cancel-reason-cancelled-next = Si sigue recibiendo correos de restablecimiento que no ha solicitado, avise a su administrador.
cancelled-title = El enlace se ha anulado
cancelled-body = Ya nadie puede establecer una contraseña con él. Su contraseña no ha cambiado, ni tampoco ninguna otra cosa de su cuenta.
cancelled-next = Si sigue recibiendo correos de restablecimiento que no ha solicitado, avise a su administrador.

## After the new password is set.
done-title = Su contraseña se ha cambiado
done-body = A partir de ahora, inicie sesión con su contraseña nueva. También hemos enviado una confirmación a su dirección de correo electrónico.
done-still-signed-in = Sesiones aún abiertas
done-signed-out = Sesiones cerradas
active =
    { $n ->
        [0] Ahora no hay ninguna sesión abierta con su cuenta.
        [one] Todavía hay { $n } sesión abierta con su cuenta, en este o en otro dispositivo.
       *[other] Todavía hay { $n } sesiones abiertas con su cuenta, en este o en otros dispositivos.
    }
revoked =
    { $n ->
        [0] No se ha cerrado ninguna sesión.
        [one] Se ha cerrado { $n } sesión.
       *[other] Se han cerrado { $n } sesiones.
    }
advice = Si cree que alguna de ellas podría no ser suya, pida a su administrador que la cierre.
