# Los mensajes de error de la API y las indicaciones de la política de contraseñas, en español: el
# `message` de cada respuesta de error y las frases de los `details` de una respuesta
# weak_password. Los `code` siguen en inglés y estables; solo estas frases cambian con
# Accept-Language.
#
# Variables, by message: $detail (the JSON parser's own words, in English), $field and $other
# (a field's name), $max and $min (numbers), $limit (a size such as "8KiB"), $retry_after (a
# number of seconds), $min_length and $max_length (numbers).

## Errors of one request.
error-malformed-json = El cuerpo de la solicitud no es JSON válido: { $detail }.
error-invalid-body = El cuerpo de la solicitud no se corresponde con lo que admite este endpoint: { $detail }.
error-field-empty = `{ $field }` no puede estar vacío.
error-field-control = `{ $field }` no puede contener caracteres de control.
error-field-too-long = `{ $field }` debe tener como máximo { $max } caracteres.
error-field-range = `{ $field }` debe ser un número entre { $min } y { $max }.
error-field-one-of = Indique exactamente uno de los campos `{ $field }` y `{ $other }`.
error-body-too-large = El cuerpo de la solicitud ocupa más de { $limit }.
error-request-timeout = El cuerpo de la solicitud no llegó a tiempo.
error-unsupported-media-type = El cuerpo de la solicitud debe enviarse como application/json.
error-unauthenticated = Se requieren credenciales Bearer válidas.
error-forbidden = Las credenciales no tienen el ámbito (scope) que requiere esta ruta.
error-not-found = Ese recurso no existe.
error-method-not-allowed = Este método no está permitido aquí.
error-not-acceptable = La respuesta solo está disponible como application/json.
error-user-not-found = Ningún usuario coincide con la solicitud.
error-user-disabled = El usuario está desactivado; su cuenta no se puede recuperar.
error-user-has-no-email = El usuario no tiene ninguna dirección de correo electrónico a la que enviar un enlace de recuperación.
error-user-email-unusable = La dirección de correo electrónico registrada del usuario no puede recibir correo.
error-invalid-token = El token de recuperación no es válido.
error-invalid-idempotency-key = La cabecera Idempotency-Key debe contener una sola clave de 1 a 255 caracteres ASCII visibles.
error-idempotency-key-reused = Esta Idempotency-Key ya se utilizó con otra solicitud.
error-request-refused = La solicitud no ha superado la comprobación de este sitio; vuelva a intentarlo.
error-too-short = La nueva contraseña debe tener al menos { $min_length } caracteres.
error-too-long = La nueva contraseña debe tener como máximo { $max_length } caracteres.
error-too-guessable = La nueva contraseña es demasiado fácil de adivinar; unas cuantas palabras sin relación entre sí forman una contraseña segura.
error-rate-limited =
    Demasiadas solicitudes; vuelva a intentarlo dentro de { $retry_after ->
        [one] un segundo
       *[other] { $retry_after } segundos
    }.

## Errors known only by their status.
error-bad-request = No se ha podido interpretar la solicitud.
error-conflict = La solicitud entra en conflicto con el estado de la cuenta.
error-body-too-large-generic = El cuerpo de la solicitud es demasiado grande.
error-invalid-body-generic = El cuerpo de la solicitud no se corresponde con lo que admite este endpoint.
error-rate-limited-later = Demasiadas solicitudes; vuelva a intentarlo más tarde.
error-service-unavailable = El servicio no está disponible en este momento; vuelva a intentarlo en breve.
error-internal = Se ha producido un error por nuestra parte.
error-request-failed = La solicitud ha fallado.

## What makes a password easy to guess (a weak_password answer's `warning`).
password-warning-personal = Evite su propio nombre y su dirección de correo electrónico.
password-warning-straight-rows = Las filas seguidas de teclas son fáciles de adivinar.
password-warning-short-keyboard-patterns = Los patrones de teclado cortos son fáciles de adivinar.
password-warning-repeats = Las repeticiones como «aaa» son fáciles de adivinar.
password-warning-repeated-patterns = Las repeticiones como «abcabcabc» son solo un poco más difíciles de adivinar que «abc».
password-warning-top-10 = Es una de las diez contraseñas más comunes.
password-warning-top-100 = Es una de las cien contraseñas más comunes.
password-warning-common = Es una contraseña muy común.
password-warning-similar-to-common = Se parece a una contraseña de uso frecuente.
password-warning-sequences = Las secuencias como abc o 6543 son fáciles de adivinar.
password-warning-recent-years = Los años recientes son fáciles de adivinar.
password-warning-single-word = Una palabra sola es fácil de adivinar.
password-warning-dates = Las fechas suelen ser fáciles de adivinar.
password-warning-names = Los nombres y apellidos por sí solos son fáciles de adivinar.
password-warning-common-names = Los nombres y apellidos comunes son fáciles de adivinar.

## How to make it stronger (a weak_password answer's `suggestions`).
password-suggestion-few-words = Use varias palabras y evite las frases hechas.
password-suggestion-no-symbols-needed = No hacen falta símbolos, números ni mayúsculas.
password-suggestion-add-words = Añada una o dos palabras más. Las palabras poco comunes son mejores.
password-suggestion-capitalization = Poner mayúsculas no ayuda mucho.
password-suggestion-all-uppercase = Escribir todo en mayúsculas es casi tan fácil de adivinar como escribirlo todo en minúsculas.
password-suggestion-reversed-words = Las palabras escritas al revés no son mucho más difíciles de adivinar.
password-suggestion-substitutions = Las sustituciones previsibles, como «@» en lugar de «a», no ayudan mucho.
password-suggestion-longer-keyboard-pattern = Use un patrón de teclado más largo y con más cambios de dirección.
password-suggestion-avoid-repeats = Evite repetir palabras y caracteres.
password-suggestion-avoid-sequences = Evite las secuencias.
password-suggestion-avoid-recent-years = Evite los años recientes.
password-suggestion-avoid-your-years = Evite los años relacionados con usted.
password-suggestion-avoid-your-dates = Evite las fechas y los años relacionados con usted.
