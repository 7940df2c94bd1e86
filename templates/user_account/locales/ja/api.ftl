# The API's error messages and the password policy's feedback, in Japanese.
# The `code`s stay English; see en/api.ftl for the variables.

## Errors of one request.
error-malformed-json = リクエストボディが有効な JSON ではありません（{ $detail }）。
error-invalid-body = リクエストボディが、このエンドポイントの受け付ける形式と一致しません（{ $detail }）。
error-field-empty = `{ $field }` は空にできません。
error-field-control = `{ $field }` に制御文字を含めることはできません。
error-field-too-long = `{ $field }` は{ $max }文字以内にしてください。
error-field-range = `{ $field }` は{ $min }～{ $max }の数値にしてください。
error-field-one-of = `{ $field }` と `{ $other }` のどちらか一方だけを指定してください。
error-body-too-large = リクエストボディが{ $limit }を超えています。
error-request-timeout = リクエストボディが時間内に届きませんでした。
error-unsupported-media-type = リクエストボディは application/json として送信してください。
error-unauthenticated = 有効な Bearer 認証情報が必要です。
error-forbidden = 認証情報に、このルートに必要なスコープがありません。
error-not-found = 該当するリソースがありません。
error-method-not-allowed = このメソッドはここでは使用できません。
error-not-acceptable = 応答は application/json でのみ提供されます。
error-user-not-found = リクエストに一致するユーザーが見つかりません。
error-user-disabled = このユーザーは無効化されているため、アカウントを回復できません。
error-user-has-no-email = このユーザーには、回復用リンクの送信先となるメールアドレスがありません。
error-user-email-unusable = このユーザーの登録済みメールアドレスはメールを受信できません。
error-invalid-token = 回復用トークンが無効です。
error-invalid-idempotency-key = Idempotency-Key ヘッダーには、表示可能な ASCII 文字1～255文字からなるキーを1つだけ指定してください。
error-idempotency-key-reused = この Idempotency-Key は、別のリクエストですでに使用されています。
error-request-refused = リクエストがこのサイトの検証を通過しませんでした。もう一度お試しください。
error-too-short = 新しいパスワードは{ $min_length }文字以上にしてください。
error-too-long = 新しいパスワードは{ $max_length }文字以内にしてください。
error-too-guessable = 新しいパスワードは推測されやすすぎます。関連のない単語をいくつか組み合わせると、強力なパスワードになります。
error-rate-limited = リクエストが多すぎます。{ $retry_after }秒後にもう一度お試しください。

## Errors known only by their status.
error-bad-request = リクエストを解釈できませんでした。
error-conflict = リクエストがアカウントの現在の状態と矛盾しています。
error-body-too-large-generic = リクエストボディが大きすぎます。
error-invalid-body-generic = リクエストボディが、このエンドポイントの受け付ける形式と一致しません。
error-rate-limited-later = リクエストが多すぎます。しばらくしてからもう一度お試しください。
error-service-unavailable = 現在サービスを利用できません。少し時間をおいてから、もう一度お試しください。
error-internal = サーバー側で問題が発生しました。
error-request-failed = リクエストに失敗しました。

## What makes a password easy to guess (a weak_password answer's `warning`).
password-warning-personal = ご自身の名前やメールアドレスは避けてください。
password-warning-straight-rows = キーボード上で一列に並んだキーは推測されやすいです。
password-warning-short-keyboard-patterns = 短いキーボードパターンは推測されやすいです。
password-warning-repeats = 「aaa」のような繰り返しは推測されやすいです。
password-warning-repeated-patterns = 「abcabcabc」のような繰り返しは、「abc」よりわずかに推測しにくいだけです。
password-warning-top-10 = これは最もよく使われているパスワードの上位10件に入っています。
password-warning-top-100 = これは最もよく使われているパスワードの上位100件に入っています。
password-warning-common = これは非常によく使われているパスワードです。
password-warning-similar-to-common = これはよく使われているパスワードに似ています。
password-warning-sequences = abc や 6543 のような連続した文字は推測されやすいです。
password-warning-recent-years = 最近の年は推測されやすいです。
password-warning-single-word = 単語1つだけでは推測されやすいです。
password-warning-dates = 日付は推測されやすいことがよくあります。
password-warning-names = 名前や名字だけでは推測されやすいです。
password-warning-common-names = よくある名前や名字は推測されやすいです。

## How to make it stronger (a weak_password answer's `suggestions`).
password-suggestion-few-words = 複数の単語を使い、よく使われるフレーズは避けてください。
password-suggestion-no-symbols-needed = 記号、数字、大文字を使う必要はありません。
password-suggestion-add-words = 単語をもう1～2個追加してください。あまり使われない単語のほうが効果的です。
password-suggestion-capitalization = 大文字を使っても、あまり効果はありません。
password-suggestion-all-uppercase = すべて大文字にしても、すべて小文字の場合とほとんど変わらず推測されやすいです。
password-suggestion-reversed-words = 単語を逆から綴っても、推測の難しさはあまり変わりません。
password-suggestion-substitutions = 「a」の代わりに「@」を使うような予測しやすい置き換えは、あまり効果がありません。
password-suggestion-longer-keyboard-pattern = 曲がる箇所の多い、より長いキーボードパターンを使ってください。
password-suggestion-avoid-repeats = 単語や文字の繰り返しは避けてください。
password-suggestion-avoid-sequences = 連続した文字や数字は避けてください。
password-suggestion-avoid-recent-years = 最近の年は避けてください。
password-suggestion-avoid-your-years = ご自身に関係のある年は避けてください。
password-suggestion-avoid-your-dates = ご自身に関係のある日付や年は避けてください。
