# The password reset page, in English: every sentence on it, in every state.
#
# Variables:
#   $product_name  the product's name (mail.product_name)
#   $min, $max     the password's shortest and longest length (numbers)
#   $n             a number the page's script fills in (a count of characters, seconds,
#                  minutes or sessions). Select on it with plural categories ([one], [few],
#                  *[other]...) and [0]: the page carries each form, and the script picks the
#                  one the browser's plural rules name for the number.
#   $wait          how long to wait, made by the script from wait-seconds, wait-minute or
#                  wait-minutes
#   $time          a date and time, formatted by the browser for this language
#   $title         a heading of the page
#   $email         the account's address as the page shows it (partly hidden)

## The page's frame.
page-title = Reset your password
title = { $title } · { $product_name }
foot = Did not ask for a new password? You can close this page: nothing changes until a new password is set. For your safety, this page removes the link from the address bar as soon as it has read it.
foot-cancel = Nothing changes until you press “Cancel this link”. For your safety, this page removes the link from the address bar as soon as it has read it.
foot-cancel-after = For your safety, this page removes the link from the address bar as soon as it has read it.

## Checking the link.
checking-title = Checking your link…
checking-body = This takes a moment.
noscript = This page needs JavaScript to check your link and set your new password. Turn JavaScript on for this site, then open the link from your email again.
retry = Try again

## A link that does not work, by reason.
reason-missing-title = Open the link from your email
reason-missing-body = This page needs the link from a password reset email, and this address does not hold one. If you reloaded the page, that is why: for your safety, the link is removed from the address bar once it has been read.
reason-missing-next = Open the link in your newest reset email again. If you have none, ask your administrator to send you one.
reason-invalid-title = This link does not work
reason-invalid-body = It may have been cut short when it was copied, or your account changed after it was sent.
reason-invalid-next = Open the link in your newest reset email again. If that does not help, ask your administrator for a new link.
reason-expired-title = This link has expired
reason-expired-body = Reset links work for a limited time only, and this one has run out.
reason-expired-next = Ask your administrator to send you a new link.
reason-used-title = This link has already been used
reason-used-body = Each reset link works once, and a password has already been set with this one.
reason-used-next = If you set it, sign in with that new password. If you did not, ask your administrator for a new link right away.
reason-superseded-title = A newer link was sent
reason-superseded-body = Only the link in the most recent reset email works; this one was replaced by a newer one.
reason-superseded-next = Open the link in your newest email from { $product_name }.
reason-cancelled-title = This link was cancelled
reason-cancelled-body = The reset was reported as unexpected, so this link was switched off.
reason-cancelled-next = If you do want a new password, ask your administrator for a new link.
stopped-title = This link stopped working
stopped-note = Your password has not been changed.

## The link could not be checked.
check-unavailable-title = We could not check your link
check-unavailable-body = The service did not answer. Check your connection, then try again.
check-limited-title = Too many attempts
check-limited-body = There have been too many attempts from your network. Wait { $wait }, then try again.
wait-seconds =
    { $n ->
        [one] { $n } second
       *[other] { $n } seconds
    }
wait-minute = about a minute
wait-minutes =
    { $n ->
        [one] { $n } minute
       *[other] { $n } minutes
    }

## Asking for a new link (only when self-service recovery is on): a form under a link that
## does not work, and on the page opened without a link.
new-link-intro = You can have a new link sent to you:
new-link-label = Your email address
new-link-button = Send me a new link
new-link-busy = Sending…
new-link-sent = If an account exists for this address, a new link is on its way. Check your email, including the spam folder; the link works for a limited time.
new-link-error-empty = Enter your email address.
new-link-error-limited = Too many attempts from your network. Wait { $wait }, then press “Send me a new link” again.
new-link-error-unavailable = The request was not sent: the service did not answer. Check your connection, then try again.
new-link-error-refused = The request was refused. Reload this page, then try again.

## Choosing the new password.
form-title = Choose a new password
account-line = For the account { $email }.
expires = This link works until { $time }.
policy-intro = Your new password must be:
policy-length = { $min } to { $max } characters long (spaces, symbols and letters of any language all count),
policy-common = not a common password, and not your name or email address.
policy-tip = A few unrelated words make a password that is strong and easy to remember.
new-password-label = New password
confirm-password-label = Confirm new password
show-passwords = Show passwords
sign-out-label = Sign out everywhere
sign-out-help = Ends every session signed in with your account, on all devices and browsers. Choose this if someone else may know your old password.
submit = Set new password
submit-busy = Setting your password…
hint-empty = Use { $min } to { $max } characters.
hint-short = { $n } of at least { $min } characters
hint-ok =
    { $n ->
        [one] ✓ { $n } character: long enough
       *[other] ✓ { $n } characters: long enough
    }
hint-long =
    { $n ->
        [one] { $n } character: at most { $max } are allowed
       *[other] { $n } characters: at most { $max } are allowed
    }
live-ok = Long enough.
live-long = Too long.
match-yes = ✓ The passwords match.
match-no = The passwords do not match yet.
error-empty = Enter a new password.
error-short = Use at least { $min } characters. This one has { $n }.
error-long = Use at most { $max } characters. This one has { $n }.
error-confirm-empty = Type the new password again to confirm it.
error-mismatch = The two passwords are not the same. Type the same password in both fields.
error-guessable = This password would be too easy to guess. Your link still works: choose another one.
error-limited = Too many attempts from your network. Wait { $wait }, then press “Set new password” again. What you typed is still here.
error-unavailable = Your password was not changed: the service did not answer. Check your connection, then try again.
error-refused = Your password was not changed: the request was refused. Open the link from your email again.

## The "this wasn't me" link.
cancel-title = Cancel this reset link?
cancel-body = Someone asked to reset the password of this account. If it was not you, cancel this link; your password stays as it is.
cancel-button = Cancel this link
cancel-hint = If you did ask for a new password, close this page and open the other link in the email, the one to choose a new password.
cancel-busy = Cancelling the link…
cancel-error-limited = Too many attempts from your network. Wait { $wait }, then press “Cancel this link” again.
cancel-error-unavailable = The link was not cancelled: the service did not answer. Check your connection, then try again.
cancel-error-refused = The link was not cancelled: the request was refused. Open the link from your email again.
cancel-reason-invalid-title = This link is no longer valid
cancel-reason-invalid-body = It does not work: it may have been cut short when it was copied, or your account changed after it was sent. Nobody can set a password with it.
cancel-reason-invalid-next = Your password stays as it is. If you keep getting reset emails you did not ask for, tell your administrator.
cancel-reason-expired-title = This link is no longer valid
cancel-reason-expired-body = It has expired, so nobody can set a password with it any more, and there is nothing left to cancel. Your password stays as it is.
cancel-reason-expired-next = If you keep getting reset emails you did not ask for, tell your administrator.
cancel-reason-used-title = This link is no longer valid
cancel-reason-used-body = A new password has already been set with this link, so it can no longer be cancelled.
cancel-reason-used-next = If you did not set it, tell your administrator right away: someone else may be able to sign in to your account.
cancel-reason-superseded-title = This link is no longer valid
cancel-reason-superseded-body = A newer reset link was sent after this one, and only the newest one works, so nobody can set a password with this one.
cancel-reason-superseded-next = If you did not ask for the newer one either, cancel it too with the link in your newest email from { $product_name }, and tell your administrator.
cancel-reason-cancelled-title = This link was already cancelled
cancel-reason-cancelled-body = Nobody can set a password with it. Your password stays as it is.
cancel-reason-cancelled-next = If you keep getting reset emails you did not ask for, tell your administrator.
cancelled-title = The link is cancelled
cancelled-body = Nobody can set a password with it any more. Your password stays as it is, and nothing else about your account changed.
cancelled-next = If you keep getting reset emails you did not ask for, tell your administrator.

## After the new password is set.
done-title = Your password has been changed
done-body = Sign in with your new password from now on. We have also sent a confirmation to your email address.
done-still-signed-in = Still signed in
done-signed-out = Signed out now
active =
    { $n ->
        [0] No session is signed in with your account now.
        [one] { $n } session is still signed in with your account, on this or another device.
       *[other] { $n } sessions are still signed in with your account, on this or other devices.
    }
revoked =
    { $n ->
        [0] No session was signed out.
        [one] { $n } session was signed out.
       *[other] { $n } sessions were signed out.
    }
advice = If any of them may not be yours, ask your administrator to sign them out.
