# The password reset page, in Brazilian Portuguese. See en/page.ftl for the variables.

## The page's frame.
page-title = Redefinir sua senha
title = { $title } · { $product_name }
foot = Não pediu uma nova senha? Você pode fechar esta página: nada muda até que uma nova senha seja definida. Para sua segurança, esta página remove o link da barra de endereços assim que o lê.
foot-cancel = Nada muda até você clicar em “Cancelar este link”. Para sua segurança, esta página remove o link da barra de endereços assim que o lê.
foot-cancel-after = Para sua segurança, esta página remove o link da barra de endereços assim que o lê.

## Checking the link.
checking-title = Verificando seu link…
checking-body = Isso leva só um instante.
noscript = Esta página precisa de JavaScript para verificar seu link e definir sua nova senha. Ative o JavaScript para este site e abra novamente o link do seu e-mail.
retry = Tentar novamente

## A link that does not work, by reason.
reason-missing-title = Abra o link do seu e-mail
reason-missing-body = Esta página precisa do link de um e-mail de redefinição de senha, e este endereço não contém nenhum. Se você recarregou a página, é por isso: para sua segurança, o link é removido da barra de endereços depois de lido.
reason-missing-next = Abra novamente o link do seu e-mail de redefinição mais recente. Se você não tiver nenhum, peça ao seu administrador que lhe envie um.
reason-invalid-title = Este link não funciona
reason-invalid-body = Ele pode ter sido cortado ao ser copiado, ou sua conta pode ter mudado depois do envio.
reason-invalid-next = Abra novamente o link do seu e-mail de redefinição mais recente. Se isso não resolver, peça um novo link ao seu administrador.
reason-expired-title = Este link expirou
reason-expired-body = Os links de redefinição valem apenas por tempo limitado, e o prazo deste já acabou.
reason-expired-next = Peça ao seu administrador que lhe envie um novo link.
reason-used-title = Este link já foi usado
reason-used-body = Cada link de redefinição funciona uma única vez, e uma senha já foi definida com este.
reason-used-next = Se foi você quem a definiu, entre com essa nova senha. Se não foi, peça imediatamente um novo link ao seu administrador.
reason-superseded-title = Um link mais recente foi enviado
reason-superseded-body = Só o link do e-mail de redefinição mais recente funciona; este foi substituído por um mais novo.
reason-superseded-next = Abra o link do e-mail mais recente enviado por { $product_name }.
reason-cancelled-title = Este link foi cancelado
reason-cancelled-body = A redefinição foi informada como inesperada, por isso este link foi desativado.
reason-cancelled-next = Se você realmente quiser uma nova senha, peça um novo link ao seu administrador.
stopped-title = Este link parou de funcionar
stopped-note = Sua senha não foi alterada.

## The link could not be checked.
check-unavailable-title = Não foi possível verificar seu link
check-unavailable-body = O serviço não respondeu. Verifique sua conexão e tente novamente.
check-limited-title = Muitas tentativas
check-limited-body = Houve muitas tentativas a partir da sua rede. Aguarde { $wait } e tente novamente.
wait-seconds =
    { $n ->
        [one] { $n } segundo
       *[other] { $n } segundos
    }
wait-minute = cerca de um minuto
wait-minutes =
    { $n ->
        [one] { $n } minuto
       *[other] { $n } minutos
    }

## Asking for a new link (only when self-service recovery is on): a form under a link that
## does not work, and on the page opened without a link.
new-link-intro = Você pode receber um novo link por e-mail:
new-link-label = Seu endereço de e-mail
new-link-button = Enviar um novo link
new-link-busy = Enviando…
new-link-sent = Se existir uma conta com este endereço, um novo link está a caminho. Verifique seu e-mail, inclusive a pasta de spam; o link só funciona por tempo limitado.
new-link-error-empty = Digite seu endereço de e-mail.
new-link-error-limited = Muitas tentativas a partir da sua rede. Aguarde { $wait } e clique em “Enviar um novo link” novamente.
new-link-error-unavailable = A solicitação não foi enviada: o serviço não respondeu. Verifique sua conexão e tente novamente.
new-link-error-refused = A solicitação foi recusada. Recarregue esta página e tente novamente.

## Choosing the new password.
form-title = Escolha uma nova senha
account-line = Para a conta { $email }.
expires = Este link funciona até { $time }.
policy-intro = Sua nova senha deve:
policy-length = ter de { $min } a { $max } caracteres (espaços, símbolos e letras de qualquer idioma contam),
policy-common = não ser uma senha comum, nem seu nome ou endereço de e-mail.
policy-tip = Algumas palavras sem relação entre si formam uma senha forte e fácil de lembrar.
new-password-label = Nova senha
confirm-password-label = Confirme a nova senha
show-passwords = Mostrar senhas
sign-out-label = Sair de todos os dispositivos
sign-out-help = Encerra todas as sessões conectadas à sua conta, em todos os dispositivos e navegadores. Escolha esta opção se outra pessoa puder saber sua senha antiga.
submit = Definir nova senha
submit-busy = Definindo sua senha…
hint-empty = Use de { $min } a { $max } caracteres.
hint-short =
    { $n ->
        [one] { $n } caractere (mínimo: { $min })
       *[other] { $n } caracteres (mínimo: { $min })
    }
hint-ok =
    { $n ->
        [one] ✓ { $n } caractere: tamanho suficiente
       *[other] ✓ { $n } caracteres: tamanho suficiente
    }
hint-long =
    { $n ->
        [one] { $n } caractere: o máximo permitido é { $max }
       *[other] { $n } caracteres: o máximo permitido é { $max }
    }
live-ok = Tamanho suficiente.
live-long = Longa demais.
match-yes = ✓ As senhas coincidem.
match-no = As senhas ainda não coincidem.
error-empty = Digite uma nova senha.
error-short = Use pelo menos { $min } caracteres. Esta tem { $n }.
error-long = Use no máximo { $max } caracteres. Esta tem { $n }.
error-confirm-empty = Digite a nova senha mais uma vez para confirmá-la.
error-mismatch = As duas senhas não são iguais. Digite a mesma senha nos dois campos.
error-guessable = Esta senha seria fácil demais de adivinhar. Seu link continua valendo: escolha outra.
error-limited = Muitas tentativas a partir da sua rede. Aguarde { $wait } e clique em “Definir nova senha” novamente. O que você digitou continua aqui.
error-unavailable = Sua senha não foi alterada: o serviço não respondeu. Verifique sua conexão e tente novamente.
error-refused = Sua senha não foi alterada: a solicitação foi recusada. Abra novamente o link do seu e-mail.

## The "this wasn't me" link.
cancel-title = Cancelar este link de redefinição?
cancel-body = Alguém pediu para redefinir a senha desta conta. Se não foi você, cancele este link; sua senha continuará a mesma.
cancel-button = Cancelar este link
cancel-hint = Se você pediu mesmo uma nova senha, feche esta página e abra o outro link do e-mail, o que serve para escolher uma nova senha.
cancel-busy = Cancelando o link…
cancel-error-limited = Muitas tentativas a partir da sua rede. Aguarde { $wait } e clique em “Cancelar este link” novamente.
cancel-error-unavailable = O link não foi cancelado: o serviço não respondeu. Verifique sua conexão e tente novamente.
cancel-error-refused = O link não foi cancelado: a solicitação foi recusada. Abra novamente o link do seu e-mail.
cancel-reason-invalid-title = Este link não é mais válido
cancel-reason-invalid-body = Ele não funciona: pode ter sido cortado ao ser copiado, ou sua conta pode ter mudado depois do envio. Ninguém consegue definir uma senha com ele.
cancel-reason-invalid-next = Sua senha continua a mesma. Se você continuar recebendo e-mails de redefinição que não pediu, avise seu administrador.
cancel-reason-expired-title = Este link não é mais válido
cancel-reason-expired-body = Ele expirou, então ninguém consegue mais definir uma senha com ele, e não há nada a cancelar. Sua senha continua a mesma.
cancel-reason-expired-next = Se você continuar recebendo e-mails de redefinição que não pediu, avise seu administrador.
cancel-reason-used-title = Este link não é mais válido
cancel-reason-used-body = Uma nova senha já foi definida com este link, por isso ele não pode mais ser cancelado.
cancel-reason-used-next = Se não foi você quem a definiu, avise seu administrador imediatamente: outra pessoa pode conseguir entrar na sua conta.
cancel-reason-superseded-title = Este link não é mais válido
cancel-reason-superseded-body = Um link de redefinição mais recente foi enviado depois deste, e só o mais recente funciona; por isso ninguém consegue definir uma senha com este.
cancel-reason-superseded-next = Se você também não pediu o mais recente, cancele-o pelo link do e-mail mais recente enviado por { $product_name } e avise seu administrador.
cancel-reason-cancelled-title = Este link já foi cancelado
cancel-reason-cancelled-body = Ninguém consegue definir uma senha com ele. Sua senha continua a mesma.
cancel-reason-cancelled-next = Se você continuar recebendo e-mails de redefinição que não pediu, avise seu administrador.
cancelled-title = O link foi cancelado
cancelled-body = Ninguém mais consegue definir uma senha com ele. Sua senha continua a mesma, e nada mais mudou na sua conta.
cancelled-next = Se você continuar recebendo e-mails de redefinição que não pediu, avise seu administrador.

## After the new password is set.
done-title = Sua senha foi alterada
done-body = A partir de agora, entre com sua nova senha. Também enviamos uma confirmação para o seu endereço de e-mail.
done-still-signed-in = Sessões ainda conectadas
done-signed-out = Sessões encerradas agora
active =
    { $n ->
        [0] Nenhuma sessão está conectada à sua conta agora.
        [one] { $n } sessão ainda está conectada à sua conta, neste ou em outro dispositivo.
       *[other] { $n } sessões ainda estão conectadas à sua conta, neste ou em outros dispositivos.
    }
revoked =
    { $n ->
        [0] Nenhuma sessão foi encerrada.
        [one] { $n } sessão foi encerrada.
       *[other] { $n } sessões foram encerradas.
    }
advice = Se alguma delas talvez não seja sua, peça ao seu administrador que a encerre.
