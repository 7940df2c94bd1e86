# Die Seite zum Zurücksetzen des Passworts auf Deutsch: jeder Satz darauf, in jedem Zustand.
#
# Variables:
#   $product_name  the product's name (mail.product_name)
#   $min, $max     the password's shortest and longest length (numbers)
#   $n             a number the page's script fills in (a count of characters, seconds,
#                  minutes or sessions); German plural categories: [one], *[other]
#   $wait          how long to wait, made by the script from wait-seconds, wait-minute or
#                  wait-minutes
#   $time          a date and time, formatted by the browser for this language
#   $title         a heading of the page
#   $email         the account's address as the page shows it (partly hidden)

## The page's frame.
page-title = Passwort zurücksetzen
title = { $title } · { $product_name }
foot = Sie haben kein neues Passwort angefordert? Dann können Sie diese Seite einfach schließen: Solange kein neues Passwort festgelegt wird, ändert sich nichts. Zu Ihrer Sicherheit entfernt diese Seite den Link aus der Adresszeile, sobald sie ihn gelesen hat.
foot-cancel = Es ändert sich nichts, solange Sie nicht auf „Diesen Link sperren“ klicken. Zu Ihrer Sicherheit entfernt diese Seite den Link aus der Adresszeile, sobald sie ihn gelesen hat.
foot-cancel-after = Zu Ihrer Sicherheit entfernt diese Seite den Link aus der Adresszeile, sobald sie ihn gelesen hat.

## Checking the link.
checking-title = Ihr Link wird geprüft…
checking-body = Das dauert einen Moment.
noscript = Diese Seite benötigt JavaScript, um Ihren Link zu prüfen und Ihr neues Passwort festzulegen. Aktivieren Sie JavaScript für diese Website und öffnen Sie dann den Link aus Ihrer E-Mail erneut.
retry = Erneut versuchen

## A link that does not work, by reason.
reason-missing-title = Öffnen Sie den Link aus Ihrer E-Mail
reason-missing-body = Diese Seite benötigt den Link aus einer E-Mail zum Zurücksetzen des Passworts, aber diese Adresse enthält keinen. Falls Sie die Seite neu geladen haben, liegt es daran: Zu Ihrer Sicherheit wird der Link aus der Adresszeile entfernt, sobald er gelesen wurde.
reason-missing-next = Öffnen Sie den Link in Ihrer neuesten E-Mail zum Zurücksetzen erneut. Falls Sie keine haben, bitten Sie Ihren Administrator, Ihnen eine zu senden.
reason-invalid-title = Dieser Link funktioniert nicht
reason-invalid-body = Möglicherweise wurde er beim Kopieren abgeschnitten, oder Ihr Konto wurde nach dem Versand des Links geändert.
reason-invalid-next = Öffnen Sie den Link in Ihrer neuesten E-Mail zum Zurücksetzen erneut. Hilft das nicht, bitten Sie Ihren Administrator um einen neuen Link.
reason-expired-title = Dieser Link ist abgelaufen
reason-expired-body = Links zum Zurücksetzen sind nur für begrenzte Zeit gültig, und die Gültigkeit dieses Links ist abgelaufen.
reason-expired-next = Bitten Sie Ihren Administrator, Ihnen einen neuen Link zu senden.
reason-used-title = Dieser Link wurde bereits verwendet
reason-used-body = Jeder Link zum Zurücksetzen funktioniert nur einmal, und mit diesem wurde bereits ein Passwort festgelegt.
reason-used-next = Wenn Sie es selbst festgelegt haben, melden Sie sich mit dem neuen Passwort an. Andernfalls bitten Sie Ihren Administrator sofort um einen neuen Link.
reason-superseded-title = Es wurde ein neuerer Link gesendet
reason-superseded-body = Nur der Link in der neuesten E-Mail zum Zurücksetzen funktioniert; dieser wurde durch einen neueren ersetzt.
reason-superseded-next = Öffnen Sie den Link in Ihrer neuesten E-Mail von { $product_name }.
reason-cancelled-title = Dieser Link wurde gesperrt
reason-cancelled-body = Das Zurücksetzen wurde als unerwartet gemeldet, daher wurde dieser Link gesperrt.
reason-cancelled-next = Wenn Sie doch ein neues Passwort möchten, bitten Sie Ihren Administrator um einen neuen Link.
stopped-title = Dieser Link funktioniert nicht mehr
stopped-note = Ihr Passwort wurde nicht geändert.

## The link could not be checked.
check-unavailable-title = Ihr Link konnte nicht geprüft werden
check-unavailable-body = Der Dienst hat nicht geantwortet. Prüfen Sie Ihre Verbindung und versuchen Sie es dann erneut.
check-limited-title = Zu viele Versuche
check-limited-body = Aus Ihrem Netzwerk gab es zu viele Versuche. Warten Sie { $wait } und versuchen Sie es dann erneut.
wait-seconds =
    { $n ->
        [one] { $n } Sekunde
       *[other] { $n } Sekunden
    }
wait-minute = etwa eine Minute
wait-minutes =
    { $n ->
        [one] { $n } Minute
       *[other] { $n } Minuten
    }

## Asking for a new link (only when self-service recovery is on): a form under a link that
## does not work, and on the page opened without a link.
new-link-intro = Sie können sich einen neuen Link senden lassen:
new-link-label = Ihre E-Mail-Adresse
new-link-button = Neuen Link senden
new-link-busy = Wird gesendet…
new-link-sent = Falls zu dieser Adresse ein Konto besteht, ist ein neuer Link zu Ihnen unterwegs. Sehen Sie in Ihren E-Mails nach, auch im Spam-Ordner; der Link ist nur für begrenzte Zeit gültig.
new-link-error-empty = Geben Sie Ihre E-Mail-Adresse ein.
new-link-error-limited = Zu viele Versuche aus Ihrem Netzwerk. Warten Sie { $wait } und klicken Sie dann erneut auf „Neuen Link senden“.
new-link-error-unavailable = Die Anfrage wurde nicht gesendet: Der Dienst hat nicht geantwortet. Prüfen Sie Ihre Verbindung und versuchen Sie es dann erneut.
new-link-error-refused = Die Anfrage wurde abgelehnt. Laden Sie diese Seite neu und versuchen Sie es dann erneut.

## Choosing the new password.
form-title = Neues Passwort festlegen
account-line = Für das Konto { $email }.
expires = Dieser Link ist gültig bis { $time }.
policy-intro = Ihr neues Passwort muss:
policy-length = { $min } bis { $max } Zeichen lang sein (Leerzeichen, Sonderzeichen und Buchstaben jeder Sprache zählen mit),
policy-common = sich von gängigen Passwörtern sowie von Ihrem Namen und Ihrer E-Mail-Adresse unterscheiden.
policy-tip = Einige zusammenhanglose Wörter ergeben ein Passwort, das sicher und leicht zu merken ist.
new-password-label = Neues Passwort
confirm-password-label = Neues Passwort bestätigen
show-passwords = Passwörter anzeigen
sign-out-label = Überall abmelden
sign-out-help = Beendet alle Sitzungen, die mit Ihrem Konto angemeldet sind, auf allen Geräten und in allen Browsern. Wählen Sie dies, wenn jemand anderes Ihr altes Passwort kennen könnte.
submit = Neues Passwort festlegen
submit-busy = Ihr Passwort wird festgelegt…
hint-empty = Verwenden Sie { $min } bis { $max } Zeichen.
hint-short =
    { $n ->
        [one] { $n } von mindestens { $min } Zeichen
       *[other] { $n } von mindestens { $min } Zeichen
    }
hint-ok =
    { $n ->
        [one] ✓ { $n } Zeichen: lang genug
       *[other] ✓ { $n } Zeichen: lang genug
    }
hint-long =
    { $n ->
        [one] { $n } Zeichen: höchstens { $max } sind erlaubt
       *[other] { $n } Zeichen: höchstens { $max } sind erlaubt
    }
live-ok = Lang genug.
live-long = Zu lang.
match-yes = ✓ Die Passwörter stimmen überein.
match-no = Die Passwörter stimmen noch nicht überein.
error-empty = Geben Sie ein neues Passwort ein.
error-short = Verwenden Sie mindestens { $min } Zeichen. Dieses Passwort hat { $n }.
error-long = Verwenden Sie höchstens { $max } Zeichen. Dieses Passwort hat { $n }.
error-confirm-empty = Geben Sie das neue Passwort zur Bestätigung noch einmal ein.
error-mismatch = Die beiden Passwörter stimmen nicht überein. Geben Sie in beide Felder dasselbe Passwort ein.
error-guessable = Dieses Passwort wäre zu leicht zu erraten. Ihr Link ist weiterhin gültig: Wählen Sie ein anderes.
error-limited = Zu viele Versuche aus Ihrem Netzwerk. Warten Sie { $wait } und klicken Sie dann erneut auf „Neues Passwort festlegen“. Ihre Eingaben bleiben erhalten.
error-unavailable = Ihr Passwort wurde nicht geändert: Der Dienst hat nicht geantwortet. Prüfen Sie Ihre Verbindung und versuchen Sie es dann erneut.
error-refused = Ihr Passwort wurde nicht geändert: Die Anfrage wurde abgelehnt. Öffnen Sie den Link aus Ihrer E-Mail erneut.

## The "this wasn't me" link.
cancel-title = Diesen Link zum Zurücksetzen sperren?
cancel-body = Jemand hat angefordert, das Passwort dieses Kontos zurückzusetzen. Wenn Sie das nicht waren, sperren Sie diesen Link; Ihr Passwort bleibt unverändert.
cancel-button = Diesen Link sperren
cancel-hint = Wenn Sie tatsächlich ein neues Passwort angefordert haben, schließen Sie diese Seite und öffnen Sie den anderen Link in der E-Mail, mit dem Sie ein neues Passwort festlegen.
cancel-busy = Der Link wird gesperrt…
cancel-error-limited = Zu viele Versuche aus Ihrem Netzwerk. Warten Sie { $wait } und klicken Sie dann erneut auf „Diesen Link sperren“.
cancel-error-unavailable = Der Link wurde nicht gesperrt: Der Dienst hat nicht geantwortet. Prüfen Sie Ihre Verbindung und versuchen Sie es dann erneut.
cancel-error-refused = Der Link wurde nicht gesperrt: Die Anfrage wurde abgelehnt. Öffnen Sie den Link aus Ihrer E-Mail erneut.
cancel-reason-invalid-title = Dieser Link ist nicht mehr gültig
cancel-reason-invalid-body = Er funktioniert nicht: Möglicherweise wurde er beim Kopieren abgeschnitten, oder Ihr Konto wurde nach dem Versand des Links geändert. Niemand kann damit ein Passwort festlegen.
cancel-reason-invalid-next = Ihr Passwort bleibt unverändert. Wenn Sie wiederholt E-Mails zum Zurücksetzen erhalten, die Sie nicht angefordert haben, informieren Sie Ihren Administrator.
cancel-reason-expired-title = Dieser Link ist nicht mehr gültig
cancel-reason-expired-body = Er ist abgelaufen: Niemand kann damit noch ein Passwort festlegen, und es gibt nichts mehr zu sperren. Ihr Passwort bleibt unverändert.
cancel-reason-expired-next = Wenn Sie wiederholt E-Mails zum Zurücksetzen erhalten, die Sie nicht angefordert haben, informieren Sie Ihren Administrator.
cancel-reason-used-title = Dieser Link ist nicht mehr gültig
cancel-reason-used-body = Mit diesem Link wurde bereits ein neues Passwort festgelegt, daher kann er nicht mehr gesperrt werden.
cancel-reason-used-next = Wenn Sie es nicht selbst festgelegt haben, informieren Sie sofort Ihren Administrator: Möglicherweise kann sich jemand anderes bei Ihrem Konto anmelden.
cancel-reason-superseded-title = Dieser Link ist nicht mehr gültig
cancel-reason-superseded-body = Nach diesem Link wurde ein neuerer Link zum Zurücksetzen gesendet, und nur der neueste funktioniert. Mit diesem kann also niemand ein Passwort festlegen.
cancel-reason-superseded-next = Wenn Sie auch den neueren Link nicht angefordert haben, sperren Sie ihn ebenfalls über den Link in Ihrer neuesten E-Mail von { $product_name } und informieren Sie Ihren Administrator.
cancel-reason-cancelled-title = Dieser Link wurde bereits gesperrt
cancel-reason-cancelled-body = Niemand kann damit ein Passwort festlegen. Ihr Passwort bleibt unverändert.
cancel-reason-cancelled-next = Wenn Sie wiederholt E-Mails zum Zurücksetzen erhalten, die Sie nicht angefordert haben, informieren Sie Ihren Administrator.
cancelled-title = Der Link ist gesperrt
cancelled-body = Niemand kann damit noch ein Passwort festlegen. Ihr Passwort bleibt unverändert, und auch sonst wurde an Ihrem Konto nichts geändert.
cancelled-next = Wenn Sie wiederholt E-Mails zum Zurücksetzen erhalten, die Sie nicht angefordert haben, informieren Sie Ihren Administrator.

## After the new password is set.
done-title = Ihr Passwort wurde geändert
done-body = Melden Sie sich ab sofort mit Ihrem neuen Passwort an. Außerdem haben wir eine Bestätigung an Ihre E-Mail-Adresse gesendet.
done-still-signed-in = Noch angemeldet
done-signed-out = Jetzt abgemeldet
active =
    { $n ->
        [0] Mit Ihrem Konto ist derzeit keine Sitzung angemeldet.
        [one] Mit Ihrem Konto ist noch { $n } Sitzung angemeldet, auf diesem oder einem anderen Gerät.
       *[other] Mit Ihrem Konto sind noch { $n } Sitzungen angemeldet, auf diesem oder anderen Geräten.
    }
revoked =
    { $n ->
        [0] Es wurde keine Sitzung abgemeldet.
        [one] { $n } Sitzung wurde abgemeldet.
       *[other] { $n } Sitzungen wurden abgemeldet.
    }
advice = Falls eine dieser Sitzungen nicht von Ihnen stammen könnte, bitten Sie Ihren Administrator, sie abzumelden.
