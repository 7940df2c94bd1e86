# The API's error messages and the password policy's feedback, in Brazilian Portuguese.
# The `code`s stay English; see en/api.ftl for the variables.

## Errors of one request.
error-malformed-json = O corpo da requisição não é um JSON válido: { $detail }.
error-invalid-body = O corpo da requisição não corresponde ao que este endpoint aceita: { $detail }.
error-field-empty = `{ $field }` não pode estar vazio.
error-field-control = `{ $field }` não pode conter caracteres de controle.
error-field-too-long = `{ $field }` deve ter no máximo { $max } caracteres.
error-field-range = `{ $field }` deve ser um número de { $min } a { $max }.
error-field-one-of = Informe exatamente um entre `{ $field }` e `{ $other }`.
error-body-too-large = O corpo da requisição é maior que { $limit }.
error-request-timeout = O corpo da requisição não chegou a tempo.
error-unsupported-media-type = O corpo da requisição deve ser enviado como application/json.
error-unauthenticated = São necessárias credenciais bearer válidas.
error-forbidden = As credenciais não têm o escopo exigido por esta rota.
error-not-found = Este recurso não existe.
error-method-not-allowed = Este método não é permitido aqui.
error-not-acceptable = A resposta só está disponível como application/json.
error-user-not-found = Nenhum usuário corresponde à requisição.
error-user-disabled = O usuário está desativado, e sua conta não pode ser recuperada.
error-user-has-no-email = O usuário não tem um endereço de e-mail para onde enviar um link de recuperação.
error-user-email-unusable = O endereço de e-mail cadastrado do usuário não pode receber mensagens.
error-invalid-token = O token de recuperação não é válido.
error-invalid-idempotency-key = O cabeçalho Idempotency-Key deve conter uma única chave de 1 a 255 caracteres ASCII visíveis.
error-idempotency-key-reused = Esta Idempotency-Key já foi usada em outra requisição.
error-request-refused = A requisição não passou na verificação deste site; tente novamente.
error-too-short = A nova senha deve ter pelo menos { $min_length } caracteres.
error-too-long = A nova senha deve ter no máximo { $max_length } caracteres.
error-too-guessable = A nova senha é fácil demais de adivinhar; algumas palavras sem relação entre si formam uma senha forte.
error-rate-limited =
    Muitas requisições; tente novamente em { $retry_after ->
        [one] { $retry_after } segundo
       *[other] { $retry_after } segundos
    }.

## Errors known only by their status.
error-bad-request = Não foi possível entender a requisição.
error-conflict = A requisição entra em conflito com o estado da conta.
error-body-too-large-generic = O corpo da requisição é grande demais.
error-invalid-body-generic = O corpo da requisição não corresponde ao que este endpoint aceita.
error-rate-limited-later = Muitas requisições; tente novamente mais tarde.
error-service-unavailable = O serviço está indisponível no momento; tente novamente em instantes.
error-internal = Algo deu errado do nosso lado.
error-request-failed = A requisição falhou.

## What makes a password easy to guess (a weak_password answer's `warning`).
password-warning-personal = Evite usar seu próprio nome ou endereço de e-mail.
password-warning-straight-rows = Sequências de teclas em linha reta são fáceis de adivinhar.
password-warning-short-keyboard-patterns = Padrões curtos de teclado são fáceis de adivinhar.
password-warning-repeats = Repetições como “aaa” são fáceis de adivinhar.
password-warning-repeated-patterns = Repetições como “abcabcabc” são só um pouco mais difíceis de adivinhar do que “abc”.
password-warning-top-10 = Esta é uma das dez senhas mais comuns.
password-warning-top-100 = Esta é uma das cem senhas mais comuns.
password-warning-common = Esta é uma senha muito comum.
password-warning-similar-to-common = Esta senha é parecida com uma senha muito usada.
password-warning-sequences = Sequências como abc ou 6543 são fáceis de adivinhar.
password-warning-recent-years = Anos recentes são fáceis de adivinhar.
password-warning-single-word = Uma palavra sozinha é fácil de adivinhar.
password-warning-dates = Datas costumam ser fáceis de adivinhar.
password-warning-names = Nomes e sobrenomes sozinhos são fáceis de adivinhar.
password-warning-common-names = Nomes e sobrenomes comuns são fáceis de adivinhar.

## How to make it stronger (a weak_password answer's `suggestions`).
password-suggestion-few-words = Use algumas palavras e evite frases comuns.
password-suggestion-no-symbols-needed = Não é preciso usar símbolos, números ou letras maiúsculas.
password-suggestion-add-words = Acrescente mais uma ou duas palavras. Palavras incomuns são melhores.
password-suggestion-capitalization = Usar letras maiúsculas não ajuda muito.
password-suggestion-all-uppercase = Tudo em maiúsculas é quase tão fácil de adivinhar quanto tudo em minúsculas.
password-suggestion-reversed-words = Palavras escritas ao contrário não são muito mais difíceis de adivinhar.
password-suggestion-substitutions = Substituições previsíveis, como “@” no lugar de “a”, não ajudam muito.
password-suggestion-longer-keyboard-pattern = Use um padrão de teclado mais longo, com mais mudanças de direção.
password-suggestion-avoid-repeats = Evite palavras e caracteres repetidos.
password-suggestion-avoid-sequences = Evite sequências.
password-suggestion-avoid-recent-years = Evite anos recentes.
password-suggestion-avoid-your-years = Evite anos ligados a você.
password-suggestion-avoid-your-dates = Evite datas e anos ligados a você.
