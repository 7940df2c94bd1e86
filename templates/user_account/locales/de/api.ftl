# Die Fehlermeldungen der API und die Hinweise der Passwortrichtlinie auf Deutsch: die `message`
# jeder Fehlerantwort und die Sätze in den `details` einer weak_password-Antwort. Die `code`s
# bleiben englisch und stabil; nur diese Sätze richten sich nach Accept-Language.
#
# Variables, by message: $detail (the JSON parser's own words, in English), $field and $other
# (a field's name), $max and $min (numbers), $limit (a size such as "8KiB"), $retry_after (a
# number of seconds), $min_length and $max_length (numbers).

## Errors of one request.
error-malformed-json = Der Anfragetext ist kein gültiges JSON: { $detail }.
error-invalid-body = Der Anfragetext entspricht nicht dem, was dieser Endpunkt erwartet: { $detail }.
error-field-empty = `{ $field }` darf nicht leer sein.
error-field-control = `{ $field }` darf keine Steuerzeichen enthalten.
error-field-too-long = `{ $field }` darf höchstens { $max } Zeichen lang sein.
error-field-range = `{ $field }` muss eine Zahl von { $min } bis { $max } sein.
error-field-one-of = Geben Sie genau eines der Felder `{ $field }` und `{ $other }` an.
error-body-too-large = Der Anfragetext ist größer als { $limit }.
error-request-timeout = Der Anfragetext ist nicht rechtzeitig eingetroffen.
error-unsupported-media-type = Der Anfragetext muss als application/json gesendet werden.
error-unauthenticated = Gültige Bearer-Anmeldedaten sind erforderlich.
error-forbidden = Den Anmeldedaten fehlt der Scope, den diese Route erfordert.
error-not-found = Diese Ressource existiert nicht.
error-method-not-allowed = Diese Methode ist hier nicht zulässig.
error-not-acceptable = Die Antwort ist nur als application/json verfügbar.
error-user-not-found = Kein Benutzer entspricht der Anfrage.
error-user-disabled = Der Benutzer ist deaktiviert; sein Konto kann nicht wiederhergestellt werden.
error-user-has-no-email = Der Benutzer hat keine E-Mail-Adresse, an die ein Wiederherstellungslink gesendet werden könnte.
error-user-email-unusable = An die gespeicherte E-Mail-Adresse des Benutzers können keine E-Mails zugestellt werden.
error-invalid-token = Das Wiederherstellungstoken ist ungültig.
error-invalid-idempotency-key = Der Header Idempotency-Key muss genau einen Schlüssel aus 1 bis 255 sichtbaren ASCII-Zeichen enthalten.
error-idempotency-key-reused = Dieser Idempotency-Key wurde bereits für eine andere Anfrage verwendet.
error-request-refused = Die Anfrage hat die Prüfung dieser Website nicht bestanden; versuchen Sie es erneut.
error-too-short = Das neue Passwort muss mindestens { $min_length } Zeichen lang sein.
error-too-long = Das neue Passwort darf höchstens { $max_length } Zeichen lang sein.
error-too-guessable = Das neue Passwort ist zu leicht zu erraten; einige zusammenhanglose Wörter ergeben ein sicheres Passwort.
error-rate-limited =
    Zu viele Anfragen; versuchen Sie es in { $retry_after ->
        [one] einer Sekunde
       *[other] { $retry_after } Sekunden
    } erneut.

## Errors known only by their status.
error-bad-request = Die Anfrage konnte nicht verarbeitet werden.
error-conflict = Die Anfrage steht im Widerspruch zum Zustand des Kontos.
error-body-too-large-generic = Der Anfragetext ist zu groß.
error-invalid-body-generic = Der Anfragetext entspricht nicht dem, was dieser Endpunkt erwartet.
error-rate-limited-later = Zu viele Anfragen; versuchen Sie es später erneut.
error-service-unavailable = Der Dienst ist derzeit nicht verfügbar; versuchen Sie es in Kürze erneut.
error-internal = Auf unserer Seite ist ein Fehler aufgetreten.
error-request-failed = Die Anfrage ist fehlgeschlagen.

## What makes a password easy to guess (a weak_password answer's `warning`).
password-warning-personal = Vermeiden Sie Ihren eigenen Namen und Ihre E-Mail-Adresse.
password-warning-straight-rows = Gerade Tastenreihen sind leicht zu erraten.
password-warning-short-keyboard-patterns = Kurze Tastaturmuster sind leicht zu erraten.
password-warning-repeats = Wiederholungen wie „aaa“ sind leicht zu erraten.
password-warning-repeated-patterns = Wiederholungen wie „abcabcabc“ sind nur wenig schwerer zu erraten als „abc“.
password-warning-top-10 = Dies ist eines der zehn häufigsten Passwörter.
password-warning-top-100 = Dies ist eines der hundert häufigsten Passwörter.
password-warning-common = Dies ist ein sehr häufiges Passwort.
password-warning-similar-to-common = Dies ähnelt einem häufig verwendeten Passwort.
password-warning-sequences = Folgen wie abc oder 6543 sind leicht zu erraten.
password-warning-recent-years = Jahreszahlen der letzten Jahre sind leicht zu erraten.
password-warning-single-word = Ein einzelnes Wort ist leicht zu erraten.
password-warning-dates = Datumsangaben sind oft leicht zu erraten.
password-warning-names = Vor- und Nachnamen allein sind leicht zu erraten.
password-warning-common-names = Häufige Vor- und Nachnamen sind leicht zu erraten.

## How to make it stronger (a weak_password answer's `suggestions`).
password-suggestion-few-words = Verwenden Sie mehrere Wörter und vermeiden Sie gängige Redewendungen.
password-suggestion-no-symbols-needed = Sonderzeichen, Ziffern oder Großbuchstaben sind nicht nötig.
password-suggestion-add-words = Fügen Sie ein oder zwei weitere Wörter hinzu. Ungewöhnliche Wörter sind besser.
password-suggestion-capitalization = Großschreibung hilft nicht viel.
password-suggestion-all-uppercase = Nur Großbuchstaben sind fast so leicht zu erraten wie nur Kleinbuchstaben.
password-suggestion-reversed-words = Rückwärts geschriebene Wörter sind kaum schwerer zu erraten.
password-suggestion-substitutions = Vorhersehbare Ersetzungen wie „@“ statt „a“ helfen nicht viel.
password-suggestion-longer-keyboard-pattern = Verwenden Sie ein längeres Tastaturmuster mit mehr Richtungswechseln.
password-suggestion-avoid-repeats = Vermeiden Sie wiederholte Wörter und Zeichen.
password-suggestion-avoid-sequences = Vermeiden Sie fortlaufende Folgen.
password-suggestion-avoid-recent-years = Vermeiden Sie Jahreszahlen der letzten Jahre.
password-suggestion-avoid-your-years = Vermeiden Sie Jahreszahlen, die mit Ihnen in Verbindung stehen.
password-suggestion-avoid-your-dates = Vermeiden Sie Daten und Jahreszahlen, die mit Ihnen in Verbindung stehen.
