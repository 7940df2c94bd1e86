# The mails, in Arabic (Modern Standard Arabic, right to left). Plain text; see en/mail.ftl
# for the variables.

## How this language writes a date and time in a mail (a chrono strftime pattern and a POSIX
## locale for the month names). Times in mails are in UTC.
mail-datetime-pattern = %-d %B %Y، %H:%M UTC
mail-datetime-locale = ar_EG

## Shared by every mail.
mail-greeting = مرحبًا،
mail-greeting-named = مرحبًا { $display_name }،
mail-footer = { $product_name }. هذه رسالة آلية، ولا تُقرأ الردود عليها.

## The recovery mail: its link follows recovery-intro, its "this wasn't me" link follows
## recovery-not-you (in the HTML part, as a link reading recovery-cancel-link).
recovery-subject = { $product_name }: إعادة تعيين كلمة المرور
recovery-intro = بدأ أحد مسؤولي النظام عملية إعادة تعيين كلمة المرور لحسابك ({ $product_name }). لاختيار كلمة مرور جديدة، يُرجى فتح الرابط التالي:
# The same, when the user asked for the link themselves on the reset page.
recovery-intro-self = طلب شخص ما، ولعلّه أنت، رابطًا لإعادة تعيين كلمة المرور لحسابك ({ $product_name }). لاختيار كلمة مرور جديدة، يُرجى فتح الرابط التالي:
recovery-expiry =
    يعمل الرابط مرة واحدة فقط، وتنتهي صلاحيته في { $expires_at } (بعد { $ttl_minutes ->
        [zero] { $ttl_minutes } دقيقة
        [one] دقيقة واحدة
        [two] دقيقتين
        [few] { $ttl_minutes } دقائق
        [many] { $ttl_minutes } دقيقة
       *[other] { $ttl_minutes } دقيقة
    } من إرساله).
recovery-not-you = إذا لم يكن هذا الطلب صادرًا عنك، فيُرجى إلغاء الرابط (ستبقى كلمة المرور كما هي)، وإبلاغ مسؤول النظام إذا تكرر ذلك:
recovery-cancel-link = إلغاء الرابط

## The "your password was changed" notice (no link).
changed-subject = { $product_name }: تم تغيير كلمة المرور
changed-body = تم تغيير كلمة المرور لحسابك ({ $product_name }) في { $changed_at } باستخدام رابط لإعادة تعيين كلمة المرور.
changed-advice = إذا كنت أنت من قام بذلك، فلا حاجة إلى أي إجراء آخر. وإن لم يكن كذلك، فيُرجى التواصل مع مسؤول النظام فورًا.
