# The mails, in Japanese. Plain text; see en/mail.ftl for the variables.

## How this language writes a date and time in a mail (a chrono strftime pattern and a POSIX
## locale for the month names). Times in mails are in UTC.
mail-datetime-pattern = %Y年%-m月%-d日 %H:%M UTC
mail-datetime-locale = ja_JP

## Shared by every mail.
mail-greeting = ご利用者様
mail-greeting-named = { $display_name } 様
mail-footer = このメールは { $product_name } から自動送信されています。ご返信いただいても内容は確認されません。

## The recovery mail: its link follows recovery-intro, its "this wasn't me" link follows
## recovery-not-you (in the HTML part, as a link reading recovery-cancel-link).
recovery-subject = 【{ $product_name }】パスワード再設定のご案内
recovery-intro = 管理者により、お使いのアカウント（{ $product_name }）のパスワード再設定が開始されました。新しいパスワードを設定するには、次のリンクを開いてください。
# The same, when the user asked for the link themselves on the reset page.
recovery-intro-self = お使いのアカウント（{ $product_name }）のパスワード再設定リンクの送信が依頼されました（おそらくご本人による依頼です）。新しいパスワードを設定するには、次のリンクを開いてください。
recovery-expiry = このリンクは1回だけ使用でき、有効期限は { $expires_at }（送信から{ $ttl_minutes }分後）です。
recovery-not-you = お心当たりがない場合は、次のリンクから再設定リンクを取り消してください（パスワードは変更されません）。このようなメールが繰り返し届く場合は、管理者にもお知らせください。
recovery-cancel-link = 再設定リンクを取り消す

## The "your password was changed" notice (no link).
changed-subject = 【{ $product_name }】パスワードが変更されました
changed-body = お使いのアカウント（{ $product_name }）のパスワードが、{ $changed_at } にパスワード再設定リンクを使って変更されました。
changed-advice = ご本人による変更であれば、これ以上の操作は必要ありません。お心当たりがない場合は、直ちに管理者にご連絡ください。
