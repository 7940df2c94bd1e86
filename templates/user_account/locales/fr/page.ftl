# La page de réinitialisation du mot de passe, en français : chaque phrase, dans chaque état.
#
# Variables:
#   $product_name  the product's name (mail.product_name)
#   $min, $max     the password's shortest and longest length (numbers)
#   $n             a number the page's script fills in (a count of characters, seconds,
#                  minutes or sessions); French plural categories: [one] (0 and 1), [many]
#                  (optional, large round numbers), *[other]
#   $wait          how long to wait, made by the script from wait-seconds, wait-minute or
#                  wait-minutes
#   $time          a date and time, formatted by the browser for this language
#   $title         a heading of the page
#   $email         the account's address as the page shows it (partly hidden)

## The page's frame.
page-title = Réinitialiser votre mot de passe
title = { $title } · { $product_name }
foot = Vous n’avez pas demandé de nouveau mot de passe ? Vous pouvez fermer cette page : rien ne change tant qu’aucun nouveau mot de passe n’est défini. Pour votre sécurité, cette page retire le lien de la barre d’adresse dès qu’elle l’a lu.
foot-cancel = Rien ne change tant que vous n’appuyez pas sur « Désactiver ce lien ». Pour votre sécurité, cette page retire le lien de la barre d’adresse dès qu’elle l’a lu.
foot-cancel-after = Pour votre sécurité, cette page retire le lien de la barre d’adresse dès qu’elle l’a lu.

## Checking the link.
checking-title = Vérification de votre lien…
checking-body = Cela ne prend qu’un instant.
noscript = Cette page a besoin de JavaScript pour vérifier votre lien et définir votre nouveau mot de passe. Activez JavaScript pour ce site, puis ouvrez à nouveau le lien reçu par e-mail.
retry = Réessayer

## A link that does not work, by reason.
reason-missing-title = Ouvrez le lien reçu par e-mail
reason-missing-body = Cette page a besoin du lien figurant dans un e-mail de réinitialisation du mot de passe, et cette adresse n’en contient pas. Si vous avez rechargé la page, c’est pour cette raison : pour votre sécurité, le lien est retiré de la barre d’adresse dès qu’il a été lu.
reason-missing-next = Ouvrez à nouveau le lien de votre e-mail de réinitialisation le plus récent. Si vous n’en avez aucun, demandez à votre administrateur de vous en envoyer un.
reason-invalid-title = Ce lien ne fonctionne pas
reason-invalid-body = Il a peut-être été tronqué lors de sa copie, ou votre compte a été modifié depuis son envoi.
reason-invalid-next = Ouvrez à nouveau le lien de votre e-mail de réinitialisation le plus récent. Si cela ne suffit pas, demandez un nouveau lien à votre administrateur.
reason-expired-title = Ce lien a expiré
reason-expired-body = Les liens de réinitialisation ne sont valables que pendant une durée limitée, et celui-ci a expiré.
reason-expired-next = Demandez à votre administrateur de vous envoyer un nouveau lien.
reason-used-title = Ce lien a déjà été utilisé
reason-used-body = Chaque lien de réinitialisation ne fonctionne qu’une fois, et un mot de passe a déjà été défini avec celui-ci.
reason-used-next = Si c’est vous qui l’avez défini, connectez-vous avec ce nouveau mot de passe. Sinon, demandez immédiatement un nouveau lien à votre administrateur.
reason-superseded-title = Un lien plus récent a été envoyé
reason-superseded-body = Seul le lien de l’e-mail de réinitialisation le plus récent fonctionne ; celui-ci a été remplacé par un lien plus récent.
reason-superseded-next = Ouvrez le lien de votre e-mail le plus récent de { $product_name }.
reason-cancelled-title = Ce lien a été désactivé
reason-cancelled-body = La réinitialisation a été signalée comme inattendue ; ce lien a donc été désactivé.
reason-cancelled-next = Si vous souhaitez vraiment un nouveau mot de passe, demandez un nouveau lien à votre administrateur.
stopped-title = Ce lien ne fonctionne plus
stopped-note = Votre mot de passe n’a pas été modifié.

## The link could not be checked.
check-unavailable-title = Impossible de vérifier votre lien
check-unavailable-body = Le service n’a pas répondu. Vérifiez votre connexion, puis réessayez.
check-limited-title = Trop de tentatives
check-limited-body = Trop de tentatives ont été effectuées depuis votre réseau. Patientez { $wait }, puis réessayez.
wait-seconds =
    { $n ->
        [one] { $n } seconde
       *[other] { $n } secondes
    }
wait-minute = environ une minute
wait-minutes =
    { $n ->
        [one] { $n } minute
       *[other] { $n } minutes
    }

## Asking for a new link (only when self-service recovery is on): a form under a link that
## does not work, and on the page opened without a link.
new-link-intro = Vous pouvez demander l’envoi d’un nouveau lien :
new-link-label = Votre adresse e-mail
new-link-button = M’envoyer un nouveau lien
new-link-busy = Envoi en cours…
new-link-sent = Si un compte est associé à cette adresse, un nouveau lien est en cours d’envoi. Consultez vos e-mails, y compris le dossier des courriers indésirables ; le lien n’est valable que pendant une durée limitée.
new-link-error-empty = Saisissez votre adresse e-mail.
new-link-error-limited = Trop de tentatives depuis votre réseau. Patientez { $wait }, puis appuyez de nouveau sur « M’envoyer un nouveau lien ».
new-link-error-unavailable = La demande n’a pas été envoyée : le service n’a pas répondu. Vérifiez votre connexion, puis réessayez.
new-link-error-refused = La demande a été refusée. Rechargez cette page, puis réessayez.

## Choosing the new password.
form-title = Choisissez un nouveau mot de passe
account-line = Pour le compte { $email }.
expires = Ce lien est valable jusqu’au { $time }.
policy-intro = Votre nouveau mot de passe doit :
policy-length = comporter de { $min } à { $max } caractères (les espaces, les symboles et les lettres de toutes les langues comptent),
policy-common = ne pas être un mot de passe courant, ni votre nom ou votre adresse e-mail.
policy-tip = Quelques mots sans rapport entre eux forment un mot de passe robuste et facile à retenir.
new-password-label = Nouveau mot de passe
confirm-password-label = Confirmer le nouveau mot de passe
show-passwords = Afficher les mots de passe
sign-out-label = Se déconnecter partout
sign-out-help = Met fin à toutes les sessions ouvertes avec votre compte, sur tous les appareils et navigateurs. Choisissez cette option si quelqu’un d’autre risque de connaître votre ancien mot de passe.
submit = Définir le nouveau mot de passe
submit-busy = Enregistrement de votre mot de passe…
hint-empty = Utilisez de { $min } à { $max } caractères.
hint-short =
    { $n ->
        [one] { $n } caractère sur { $min } au minimum
       *[other] { $n } caractères sur { $min } au minimum
    }
hint-ok =
    { $n ->
        [one] ✓ { $n } caractère : longueur suffisante
       *[other] ✓ { $n } caractères : longueur suffisante
    }
hint-long =
    { $n ->
        [one] { $n } caractère : { $max } au maximum sont autorisés
       *[other] { $n } caractères : { $max } au maximum sont autorisés
    }
live-ok = Longueur suffisante.
live-long = Trop long.
match-yes = ✓ Les mots de passe correspondent.
match-no = Les mots de passe ne correspondent pas encore.
error-empty = Saisissez un nouveau mot de passe.
error-short = Utilisez au moins { $min } caractères. Celui-ci en comporte { $n }.
error-long = Utilisez au plus { $max } caractères. Celui-ci en comporte { $n }.
error-confirm-empty = Saisissez à nouveau le nouveau mot de passe pour le confirmer.
error-mismatch = Les deux mots de passe ne sont pas identiques. Saisissez le même mot de passe dans les deux champs.
error-guessable = Ce mot de passe serait trop facile à deviner. Votre lien fonctionne toujours : choisissez-en un autre.
error-limited = Trop de tentatives depuis votre réseau. Patientez { $wait }, puis appuyez de nouveau sur « Définir le nouveau mot de passe ». Ce que vous avez saisi est conservé.
error-unavailable = Votre mot de passe n’a pas été modifié : le service n’a pas répondu. Vérifiez votre connexion, puis réessayez.
error-refused = Votre mot de passe n’a pas été modifié : la demande a été refusée. Ouvrez à nouveau le lien reçu par e-mail.

## The "this wasn't me" link.
cancel-title = Désactiver ce lien de réinitialisation ?
cancel-body = Quelqu’un a demandé la réinitialisation du mot de passe de ce compte. Si ce n’est pas vous, désactivez ce lien ; votre mot de passe restera inchangé.
cancel-button = Désactiver ce lien
cancel-hint = Si vous avez bien demandé un nouveau mot de passe, fermez cette page et ouvrez l’autre lien de l’e-mail, celui qui permet de choisir un nouveau mot de passe.
cancel-busy = Désactivation du lien…
cancel-error-limited = Trop de tentatives depuis votre réseau. Patientez { $wait }, puis appuyez de nouveau sur « Désactiver ce lien ».
cancel-error-unavailable = Le lien n’a pas été désactivé : le service n’a pas répondu. Vérifiez votre connexion, puis réessayez.
cancel-error-refused = Le lien n’a pas été désactivé : la demande a été refusée. Ouvrez à nouveau le lien reçu par e-mail.
cancel-reason-invalid-title = Ce lien n’est plus valide
cancel-reason-invalid-body = Il ne fonctionne pas : il a peut-être été tronqué lors de sa copie, ou votre compte a été modifié depuis son envoi. Personne ne peut définir de mot de passe avec ce lien.
cancel-reason-invalid-next = Votre mot de passe reste inchangé. Si vous continuez à recevoir des e-mails de réinitialisation que vous n’avez pas demandés, prévenez votre administrateur.
cancel-reason-expired-title = Ce lien n’est plus valide
cancel-reason-expired-body = Il a expiré : personne ne peut plus définir de mot de passe avec ce lien, et il n’y a plus rien à désactiver. Votre mot de passe reste inchangé.
cancel-reason-expired-next = Si vous continuez à recevoir des e-mails de réinitialisation que vous n’avez pas demandés, prévenez votre administrateur.
cancel-reason-used-title = Ce lien n’est plus valide
cancel-reason-used-body = Un nouveau mot de passe a déjà été défini avec ce lien ; il ne peut donc plus être désactivé.
cancel-reason-used-next = Si ce n’est pas vous qui l’avez défini, prévenez immédiatement votre administrateur : quelqu’un d’autre pourrait se connecter à votre compte.
cancel-reason-superseded-title = Ce lien n’est plus valide
cancel-reason-superseded-body = Un lien de réinitialisation plus récent a été envoyé après celui-ci, et seul le plus récent fonctionne : personne ne peut donc définir de mot de passe avec celui-ci.
cancel-reason-superseded-next = Si vous n’avez pas non plus demandé le plus récent, désactivez-le lui aussi avec le lien de votre e-mail le plus récent de { $product_name }, et prévenez votre administrateur.
cancel-reason-cancelled-title = Ce lien a déjà été désactivé
cancel-reason-cancelled-body = Personne ne peut définir de mot de passe avec ce lien. Votre mot de passe reste inchangé.
cancel-reason-cancelled-next = Si vous continuez à recevoir des e-mails de réinitialisation que vous n’avez pas demandés, prévenez votre administrateur.
cancelled-title = Le lien est désactivé
cancelled-body = Personne ne peut plus définir de mot de passe avec ce lien. Votre mot de passe reste inchangé, et rien d’autre n’a été modifié sur votre compte.
cancelled-next = Si vous continuez à recevoir des e-mails de réinitialisation que vous n’avez pas demandés, prévenez votre administrateur.

## After the new password is set.
done-title = Votre mot de passe a été modifié
done-body = Désormais, connectez-vous avec votre nouveau mot de passe. Nous avons également envoyé une confirmation à votre adresse e-mail.
done-still-signed-in = Sessions encore ouvertes
done-signed-out = Sessions fermées
active =
    { $n ->
        [0] Aucune session n’est ouverte avec votre compte pour le moment.
        [one] { $n } session est encore ouverte avec votre compte, sur cet appareil ou un autre.
       *[other] { $n } sessions sont encore ouvertes avec votre compte, sur cet appareil ou d’autres.
    }
revoked =
    { $n ->
        [0] Aucune session n’a été fermée.
        [one] { $n } session a été fermée.
       *[other] { $n } sessions ont été fermées.
    }
advice = En cas de doute sur l’une de ces sessions, demandez à votre administrateur de la fermer.
