# Les e-mails, en français. Chaque phrase est du texte brut (les modèles HTML l’échappent) ; les
# liens sont sur des lignes à part, hors de ces phrases.
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
mail-datetime-pattern = %-d %B %Y à %H:%M UTC
mail-datetime-locale = fr_FR

## Shared by every mail.
mail-greeting = Bonjour,
mail-greeting-named = Bonjour { $display_name },
mail-footer = { $product_name }. Ceci est un message automatique ; les réponses ne sont pas lues.

## The recovery mail: its link follows recovery-intro, its "this wasn't me" link follows
## recovery-not-you (in the HTML part, as a link reading recovery-cancel-link).
recovery-subject = { $product_name } : réinitialisation de votre mot de passe
recovery-intro = Un administrateur a lancé la réinitialisation du mot de passe de votre compte ({ $product_name }). Pour choisir un nouveau mot de passe, ouvrez ce lien :
# The same, when the user asked for the link themselves on the reset page.
recovery-intro-self = Quelqu’un, probablement vous, a demandé un lien pour réinitialiser le mot de passe de votre compte ({ $product_name }). Pour choisir un nouveau mot de passe, ouvrez ce lien :
recovery-expiry =
    Ce lien ne fonctionne qu’une seule fois et expire le { $expires_at } ({ $ttl_minutes ->
        [one] { $ttl_minutes } minute
       *[other] { $ttl_minutes } minutes
    } après son envoi).
recovery-not-you = Si vous n’êtes pas à l’origine de cette demande, prévenez votre administrateur si cela se reproduit, et désactivez le lien (votre mot de passe restera inchangé) :
recovery-cancel-link = Désactiver le lien

## The "your password was changed" notice (no link).
changed-subject = { $product_name } : votre mot de passe a été modifié
changed-body = Le mot de passe de votre compte ({ $product_name }) a été modifié le { $changed_at } au moyen d’un lien de réinitialisation.
changed-advice = Si c’est vous qui l’avez modifié, vous n’avez rien d’autre à faire. Sinon, contactez immédiatement votre administrateur.
