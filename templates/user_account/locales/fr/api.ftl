# Les messages d’erreur de l’API et les retours de la politique de mots de passe, en français : le
# `message` de chaque réponse d’erreur et les phrases des `details` d’une réponse weak_password.
# Les `code`s restent en anglais et stables ; seules ces phrases suivent Accept-Language.
#
# Variables, by message: $detail (the JSON parser's own words, in English), $field and $other
# (a field's name), $max and $min (numbers), $limit (a size such as "8KiB"), $retry_after (a
# number of seconds), $min_length and $max_length (numbers).

## Errors of one request.
error-malformed-json = Le corps de la requête n’est pas du JSON valide : { $detail }.
error-invalid-body = Le corps de la requête ne correspond pas à ce qu’attend ce point de terminaison : { $detail }.
error-field-empty = `{ $field }` ne doit pas être vide.
error-field-control = `{ $field }` ne doit pas contenir de caractères de contrôle.
error-field-too-long = `{ $field }` doit comporter au plus { $max } caractères.
error-field-range = `{ $field }` doit être un nombre compris entre { $min } et { $max }.
error-field-one-of = Indiquez exactement un champ parmi `{ $field }` et `{ $other }`.
error-body-too-large = Le corps de la requête dépasse { $limit }.
error-request-timeout = Le corps de la requête n’est pas arrivé à temps.
error-unsupported-media-type = Le corps de la requête doit être envoyé au format application/json.
error-unauthenticated = Des identifiants Bearer valides sont requis.
error-forbidden = Les identifiants n’ont pas la portée (scope) requise par cette route.
error-not-found = Cette ressource n’existe pas.
error-method-not-allowed = Cette méthode n’est pas autorisée ici.
error-not-acceptable = La réponse n’est disponible qu’au format application/json.
error-user-not-found = Aucun utilisateur ne correspond à la requête.
error-user-disabled = L’utilisateur est désactivé ; son compte ne peut pas être récupéré.
error-user-has-no-email = L’utilisateur n’a pas d’adresse e-mail à laquelle envoyer un lien de récupération.
error-user-email-unusable = L’adresse e-mail enregistrée de l’utilisateur ne peut pas recevoir de messages.
error-invalid-token = Le jeton de récupération n’est pas valide.
error-invalid-idempotency-key = L’en-tête Idempotency-Key doit contenir une seule clé de 1 à 255 caractères ASCII visibles.
error-idempotency-key-reused = Cette clé Idempotency-Key a déjà été utilisée pour une autre requête.
error-request-refused = La requête n’a pas passé la vérification de ce site ; réessayez.
error-too-short = Le nouveau mot de passe doit comporter au moins { $min_length } caractères.
error-too-long = Le nouveau mot de passe doit comporter au plus { $max_length } caractères.
error-too-guessable = Le nouveau mot de passe est trop facile à deviner ; quelques mots sans rapport entre eux forment un mot de passe robuste.
error-rate-limited =
    Trop de requêtes ; réessayez dans { $retry_after ->
        [one] { $retry_after } seconde
       *[other] { $retry_after } secondes
    }.

## Errors known only by their status.
error-bad-request = La requête n’a pas pu être comprise.
error-conflict = La requête est en conflit avec l’état du compte.
error-body-too-large-generic = Le corps de la requête est trop volumineux.
error-invalid-body-generic = Le corps de la requête ne correspond pas à ce qu’attend ce point de terminaison.
error-rate-limited-later = Trop de requêtes ; réessayez plus tard.
error-service-unavailable = Le service est momentanément indisponible ; réessayez dans quelques instants.
error-internal = Une erreur s’est produite de notre côté.
error-request-failed = La requête a échoué.

## What makes a password easy to guess (a weak_password answer's `warning`).
password-warning-personal = Évitez votre propre nom et votre adresse e-mail.
password-warning-straight-rows = Les rangées de touches consécutives sont faciles à deviner.
password-warning-short-keyboard-patterns = Les motifs de clavier courts sont faciles à deviner.
password-warning-repeats = Les répétitions comme « aaa » sont faciles à deviner.
password-warning-repeated-patterns = Les répétitions comme « abcabcabc » sont à peine plus difficiles à deviner que « abc ».
password-warning-top-10 = C’est l’un des dix mots de passe les plus courants.
password-warning-top-100 = C’est l’un des cent mots de passe les plus courants.
password-warning-common = C’est un mot de passe très courant.
password-warning-similar-to-common = Ce mot de passe ressemble à un mot de passe courant.
password-warning-sequences = Les suites comme abc ou 6543 sont faciles à deviner.
password-warning-recent-years = Les années récentes sont faciles à deviner.
password-warning-single-word = Un mot seul est facile à deviner.
password-warning-dates = Les dates sont souvent faciles à deviner.
password-warning-names = Les noms et prénoms seuls sont faciles à deviner.
password-warning-common-names = Les noms et prénoms courants sont faciles à deviner.

## How to make it stronger (a weak_password answer's `suggestions`).
password-suggestion-few-words = Utilisez plusieurs mots et évitez les expressions courantes.
password-suggestion-no-symbols-needed = Inutile d’ajouter des symboles, des chiffres ou des majuscules.
password-suggestion-add-words = Ajoutez un ou deux mots de plus. Les mots peu courants sont préférables.
password-suggestion-capitalization = Les majuscules n’aident pas beaucoup.
password-suggestion-all-uppercase = Un mot de passe tout en majuscules est presque aussi facile à deviner qu’un mot de passe tout en minuscules.
password-suggestion-reversed-words = Les mots écrits à l’envers ne sont guère plus difficiles à deviner.
password-suggestion-substitutions = Les substitutions prévisibles, comme « @ » à la place de « a », n’aident pas beaucoup.
password-suggestion-longer-keyboard-pattern = Utilisez un motif de clavier plus long, avec davantage de changements de direction.
password-suggestion-avoid-repeats = Évitez les mots et caractères répétés.
password-suggestion-avoid-sequences = Évitez les suites.
password-suggestion-avoid-recent-years = Évitez les années récentes.
password-suggestion-avoid-your-years = Évitez les années qui vous sont associées.
password-suggestion-avoid-your-dates = Évitez les dates et années qui vous sont associées.
