# The password reset page, in Japanese. See en/page.ftl for the variables. Japanese has
# only the plural category `other`, so counts need no select (except for the exact [0]).

## The page's frame.
page-title = パスワードの再設定
title = { $title } · { $product_name }
foot = パスワードの再設定に心当たりがない場合は、このページを閉じてかまいません。新しいパスワードを設定するまで、何も変更されません。安全のため、このページはリンクを読み取るとすぐにアドレスバーから削除します。
foot-cancel = 「このリンクを取り消す」を押すまで、何も変更されません。安全のため、このページはリンクを読み取るとすぐにアドレスバーから削除します。
foot-cancel-after = 安全のため、このページはリンクを読み取るとすぐにアドレスバーから削除します。

## Checking the link.
checking-title = リンクを確認しています…
checking-body = 少々お待ちください。
noscript = このページでリンクを確認し、新しいパスワードを設定するには JavaScript が必要です。このサイトで JavaScript を有効にしてから、メールのリンクをもう一度開いてください。
retry = 再試行

## A link that does not work, by reason.
reason-missing-title = メールのリンクを開いてください
reason-missing-body = このページを使うにはパスワード再設定メールのリンクが必要ですが、このアドレスにはリンクが含まれていません。ページを再読み込みした場合はそのためです。安全のため、リンクは読み取られた時点でアドレスバーから削除されます。
reason-missing-next = 最新の再設定メールにあるリンクをもう一度開いてください。メールが見当たらない場合は、管理者に送信を依頼してください。
reason-invalid-title = このリンクは使用できません
reason-invalid-body = コピーの際にリンクの一部が欠けたか、送信後にアカウントが変更された可能性があります。
reason-invalid-next = 最新の再設定メールにあるリンクをもう一度開いてください。それでも解決しない場合は、管理者に新しいリンクを依頼してください。
reason-expired-title = このリンクは有効期限が切れています
reason-expired-body = 再設定リンクの有効期間は限られており、このリンクはすでに期限を過ぎています。
reason-expired-next = 管理者に新しいリンクの送信を依頼してください。
reason-used-title = このリンクはすでに使用されています
reason-used-body = 再設定リンクは1回しか使用できません。このリンクでは、すでにパスワードが設定されています。
reason-used-next = ご自身で設定した場合は、その新しいパスワードでログインしてください。お心当たりがない場合は、すぐに管理者に新しいリンクを依頼してください。
reason-superseded-title = 新しいリンクが送信されています
reason-superseded-body = 有効なのは最新の再設定メールにあるリンクだけです。このリンクは新しいリンクに置き換えられました。
reason-superseded-next = { $product_name } から届いた最新のメールにあるリンクを開いてください。
reason-cancelled-title = このリンクは取り消されました
reason-cancelled-body = この再設定は心当たりのないものとして報告されたため、このリンクは無効になりました。
reason-cancelled-next = 新しいパスワードが必要な場合は、管理者に新しいリンクを依頼してください。
stopped-title = このリンクは使用できなくなりました
stopped-note = パスワードは変更されていません。

## The link could not be checked.
check-unavailable-title = リンクを確認できませんでした
check-unavailable-body = サービスから応答がありませんでした。接続を確認してから、もう一度お試しください。
check-limited-title = 試行回数が多すぎます
check-limited-body = お使いのネットワークからの試行回数が多すぎます。{ $wait }待ってから、もう一度お試しください。
wait-seconds = { $n }秒
wait-minute = 約1分
wait-minutes = { $n }分

## Asking for a new link (only when self-service recovery is on): a form under a link that
## does not work, and on the page opened without a link.
new-link-intro = 新しいリンクをメールでお送りすることもできます。
new-link-label = メールアドレス
new-link-button = 新しいリンクを送信
new-link-busy = 送信しています…
new-link-sent = このメールアドレスで登録されたアカウントがある場合は、新しいリンクがまもなく届きます。迷惑メールフォルダーも含めてメールをご確認ください。リンクの有効期間は限られています。
new-link-error-empty = メールアドレスを入力してください。
new-link-error-limited = お使いのネットワークからの試行回数が多すぎます。{ $wait }待ってから、もう一度「新しいリンクを送信」を押してください。
new-link-error-unavailable = リクエストを送信できませんでした。サービスから応答がありませんでした。接続を確認してから、もう一度お試しください。
new-link-error-refused = リクエストが拒否されました。このページを再読み込みしてから、もう一度お試しください。

## Choosing the new password.
form-title = 新しいパスワードの設定
account-line = 対象のアカウント：{ $email }
expires = このリンクは { $time } まで有効です。
policy-intro = 新しいパスワードは、次の条件を満たす必要があります。
policy-length = { $min }～{ $max }文字であること（スペース、記号、どの言語の文字も1文字として数えます）
policy-common = よく使われるパスワードや、ご自身の名前・メールアドレスではないこと
policy-tip = 関連のない単語をいくつか組み合わせると、強力で覚えやすいパスワードになります。
new-password-label = 新しいパスワード
confirm-password-label = 新しいパスワード（確認）
show-passwords = パスワードを表示
sign-out-label = すべてのデバイスからログアウト
sign-out-help = すべてのデバイスとブラウザーで、このアカウントにログインしているセッションをすべて終了します。以前のパスワードを他人に知られているおそれがある場合は、これを選択してください。
submit = 新しいパスワードを設定
submit-busy = パスワードを設定しています…
hint-empty = { $min }～{ $max }文字で入力してください。
hint-short = { $n }文字（最低{ $min }文字）
hint-ok = ✓ { $n }文字：十分な長さです
hint-long = { $n }文字：最大{ $max }文字までです
live-ok = 十分な長さです。
live-long = 長すぎます。
match-yes = ✓ パスワードが一致しています。
match-no = パスワードがまだ一致していません。
error-empty = 新しいパスワードを入力してください。
error-short = { $min }文字以上で入力してください。現在は{ $n }文字です。
error-long = { $max }文字以内で入力してください。現在は{ $n }文字です。
error-confirm-empty = 確認のため、新しいパスワードをもう一度入力してください。
error-mismatch = 2つのパスワードが一致しません。両方の欄に同じパスワードを入力してください。
error-guessable = このパスワードは推測されやすすぎます。リンクは引き続き有効ですので、別のパスワードを選んでください。
error-limited = お使いのネットワークからの試行回数が多すぎます。{ $wait }待ってから、もう一度「新しいパスワードを設定」を押してください。入力した内容はそのまま残っています。
error-unavailable = パスワードは変更されていません。サービスから応答がありませんでした。接続を確認してから、もう一度お試しください。
error-refused = パスワードは変更されていません。リクエストが拒否されました。メールのリンクをもう一度開いてください。

## The "this wasn't me" link.
cancel-title = この再設定リンクを取り消しますか？
cancel-body = このアカウントのパスワード再設定が依頼されました。お心当たりがない場合は、このリンクを取り消してください。パスワードは変更されません。
cancel-button = このリンクを取り消す
cancel-hint = ご自身で新しいパスワードを依頼した場合は、このページを閉じ、メールにあるもう一方のリンク（新しいパスワードを設定するためのリンク）を開いてください。
cancel-busy = リンクを取り消しています…
cancel-error-limited = お使いのネットワークからの試行回数が多すぎます。{ $wait }待ってから、もう一度「このリンクを取り消す」を押してください。
cancel-error-unavailable = リンクは取り消されていません。サービスから応答がありませんでした。接続を確認してから、もう一度お試しください。
cancel-error-refused = リンクは取り消されていません。リクエストが拒否されました。メールのリンクをもう一度開いてください。
cancel-reason-invalid-title = このリンクはすでに無効です
cancel-reason-invalid-body = このリンクは使用できません。コピーの際に一部が欠けたか、送信後にアカウントが変更された可能性があります。このリンクでパスワードを設定することは誰にもできません。
cancel-reason-invalid-next = パスワードは変更されていません。心当たりのない再設定メールが繰り返し届く場合は、管理者にお知らせください。
cancel-reason-expired-title = このリンクはすでに無効です
cancel-reason-expired-body = このリンクは有効期限が切れているため、もう誰もパスワードを設定できず、取り消す必要もありません。パスワードは変更されていません。
cancel-reason-expired-next = 心当たりのない再設定メールが繰り返し届く場合は、管理者にお知らせください。
cancel-reason-used-title = このリンクはすでに無効です
cancel-reason-used-body = このリンクではすでに新しいパスワードが設定されているため、取り消すことはできません。
cancel-reason-used-next = ご自身で設定していない場合は、すぐに管理者にお知らせください。第三者があなたのアカウントにログインできる可能性があります。
cancel-reason-superseded-title = このリンクはすでに無効です
cancel-reason-superseded-body = このリンクの後に新しい再設定リンクが送信されました。有効なのは最新のリンクだけなので、このリンクでパスワードを設定することは誰にもできません。
cancel-reason-superseded-next = 新しいリンクにも心当たりがない場合は、{ $product_name } から届いた最新のメールにあるリンクからそちらも取り消し、管理者にお知らせください。
cancel-reason-cancelled-title = このリンクはすでに取り消されています
cancel-reason-cancelled-body = このリンクでパスワードを設定することは誰にもできません。パスワードは変更されていません。
cancel-reason-cancelled-next = 心当たりのない再設定メールが繰り返し届く場合は、管理者にお知らせください。
cancelled-title = リンクを取り消しました
cancelled-body = このリンクでパスワードを設定することは、もう誰にもできません。パスワードは変更されておらず、アカウントのほかの設定も変わっていません。
cancelled-next = 心当たりのない再設定メールが繰り返し届く場合は、管理者にお知らせください。

## After the new password is set.
done-title = パスワードを変更しました
done-body = 今後は新しいパスワードでログインしてください。確認のメールも、ご登録のメールアドレスに送信しました。
done-still-signed-in = ログイン中のセッション
done-signed-out = 今回ログアウトしたセッション
active =
    { $n ->
        [0] 現在、このアカウントでログインしているセッションはありません。
       *[other] このデバイスまたは他のデバイスで、このアカウントに{ $n }件のセッションがログインしたままになっています。
    }
revoked =
    { $n ->
        [0] ログアウトしたセッションはありません。
       *[other] { $n }件のセッションをログアウトしました。
    }
advice = ご自身のものではない可能性があるセッションがある場合は、管理者にログアウトを依頼してください。
