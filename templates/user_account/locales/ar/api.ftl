# The API's error messages and the password policy's feedback, in Arabic (Modern Standard
# Arabic). The `code`s stay English; see en/api.ftl for the variables.

## Errors of one request.
error-malformed-json = متن الطلب ليس JSON صالحًا: { $detail }.
error-invalid-body = متن الطلب لا يطابق ما تقبله نقطة النهاية هذه: { $detail }.
error-field-empty = يجب ألّا يكون `{ $field }` فارغًا.
error-field-control = يجب ألّا يحتوي `{ $field }` على أحرف تحكم.
error-field-too-long = يجب ألّا يتجاوز طول `{ $field }` { $max } من الأحرف.
error-field-range = يجب أن يكون `{ $field }` رقمًا من { $min } إلى { $max }.
error-field-one-of = يجب تقديم واحد فقط من `{ $field }` و`{ $other }`.
error-body-too-large = حجم متن الطلب أكبر من { $limit }.
error-request-timeout = لم يصل متن الطلب في الوقت المحدد.
error-unsupported-media-type = يجب إرسال متن الطلب بصيغة application/json.
error-unauthenticated = يلزم تقديم بيانات اعتماد صالحة من نوع Bearer.
error-forbidden = تفتقر بيانات الاعتماد إلى النطاق الذي يتطلبه هذا المسار.
error-not-found = المورد المطلوب غير موجود.
error-method-not-allowed = هذه الطريقة غير مسموح بها هنا.
error-not-acceptable = الاستجابة متاحة فقط بصيغة application/json.
error-user-not-found = لا يوجد مستخدم يطابق الطلب.
error-user-disabled = هذا المستخدم معطَّل، ولا يمكن استرداد حسابه.
error-user-has-no-email = ليس لدى المستخدم عنوان بريد إلكتروني يُرسل إليه رابط الاسترداد.
error-user-email-unusable = عنوان البريد الإلكتروني المخزَّن للمستخدم لا يمكنه استقبال الرسائل.
error-invalid-token = رمز الاسترداد غير صالح.
error-invalid-idempotency-key = يجب أن تحتوي الترويسة Idempotency-Key على مفتاح واحد يتكون من 1 إلى 255 من أحرف ASCII المرئية.
error-idempotency-key-reused = سبق استخدام مفتاح Idempotency-Key هذا مع طلب آخر.
error-request-refused = لم يجتز الطلب التحقق الذي يجريه هذا الموقع؛ يُرجى إعادة المحاولة.
error-too-short = يجب ألّا يقل طول كلمة المرور الجديدة عن { $min_length } من الأحرف.
error-too-long = يجب ألّا يزيد طول كلمة المرور الجديدة على { $max_length } من الأحرف.
error-too-guessable = كلمة المرور الجديدة سهلة التخمين جدًا؛ بضع كلمات لا رابط بينها تصنع كلمة مرور قوية.
error-rate-limited =
    طلبات كثيرة جدًا؛ يُرجى إعادة المحاولة بعد { $retry_after ->
        [zero] { $retry_after } ثانية
        [one] ثانية واحدة
        [two] ثانيتين
        [few] { $retry_after } ثوانٍ
        [many] { $retry_after } ثانية
       *[other] { $retry_after } ثانية
    }.

## Errors known only by their status.
error-bad-request = تعذّر فهم الطلب.
error-conflict = يتعارض الطلب مع حالة الحساب.
error-body-too-large-generic = متن الطلب كبير جدًا.
error-invalid-body-generic = متن الطلب لا يطابق ما تقبله نقطة النهاية هذه.
error-rate-limited-later = طلبات كثيرة جدًا؛ يُرجى إعادة المحاولة لاحقًا.
error-service-unavailable = الخدمة غير متاحة حاليًا؛ يُرجى إعادة المحاولة بعد قليل.
error-internal = حدث خطأ من جانبنا.
error-request-failed = فشل الطلب.

## What makes a password easy to guess (a weak_password answer's `warning`).
password-warning-personal = تجنّب استخدام اسمك أو عنوان بريدك الإلكتروني.
password-warning-straight-rows = الصفوف المستقيمة من المفاتيح سهلة التخمين.
password-warning-short-keyboard-patterns = الأنماط القصيرة على لوحة المفاتيح سهلة التخمين.
password-warning-repeats = التكرارات مثل «aaa» سهلة التخمين.
password-warning-repeated-patterns = التكرارات مثل «abcabcabc» أصعب تخمينًا من «abc» بقليل فقط.
password-warning-top-10 = هذه واحدة من أكثر عشر كلمات مرور شيوعًا.
password-warning-top-100 = هذه واحدة من أكثر مئة كلمة مرور شيوعًا.
password-warning-common = هذه كلمة مرور شائعة جدًا.
password-warning-similar-to-common = هذه تشبه كلمة مرور شائعة الاستخدام.
password-warning-sequences = التسلسلات مثل abc أو 6543 سهلة التخمين.
password-warning-recent-years = السنوات الأخيرة سهلة التخمين.
password-warning-single-word = الكلمة المفردة وحدها سهلة التخمين.
password-warning-dates = التواريخ غالبًا ما تكون سهلة التخمين.
password-warning-names = الأسماء الأولى وأسماء العائلة وحدها سهلة التخمين.
password-warning-common-names = الأسماء وأسماء العائلة الشائعة سهلة التخمين.

## How to make it stronger (a weak_password answer's `suggestions`).
password-suggestion-few-words = استخدم بضع كلمات، وتجنّب العبارات الشائعة.
password-suggestion-no-symbols-needed = لا حاجة إلى رموز أو أرقام أو أحرف كبيرة.
password-suggestion-add-words = أضف كلمة أو كلمتين أخريين. الكلمات غير الشائعة أفضل.
password-suggestion-capitalization = استخدام الأحرف الكبيرة لا يفيد كثيرًا.
password-suggestion-all-uppercase = الكتابة بأحرف كبيرة بالكامل تكاد تكون سهلة التخمين مثل الكتابة بأحرف صغيرة بالكامل.
password-suggestion-reversed-words = الكلمات المكتوبة بالعكس ليست أصعب تخمينًا بكثير.
password-suggestion-substitutions = الاستبدالات المتوقعة، مثل «@» بدلًا من «a»، لا تفيد كثيرًا.
password-suggestion-longer-keyboard-pattern = استخدم نمطًا أطول على لوحة المفاتيح يتضمن انعطافات أكثر.
password-suggestion-avoid-repeats = تجنّب تكرار الكلمات والأحرف.
password-suggestion-avoid-sequences = تجنّب التسلسلات.
password-suggestion-avoid-recent-years = تجنّب السنوات الأخيرة.
password-suggestion-avoid-your-years = تجنّب السنوات المرتبطة بك.
password-suggestion-avoid-your-dates = تجنّب التواريخ والسنوات المرتبطة بك.
