"""The SIP2 server's one table from Octavo's reason codes to what a kiosk shows (AF screen
message), in English and Spanish, chosen per account (issue #5; STYLE.md, "Where logic goes" 5).

Kiosk screens are small and read by children: short sentences that say what to do next.
"""

from __future__ import annotations

from octavo.shared.errors import Reason

# Reasons from the services.
REASONS: dict[Reason, tuple[str, str]] = {
    Reason.INVALID: (
        "This could not be done. Please ask at the desk.",
        "No se pudo hacer. Pregunta en el mostrador.",
    ),
    Reason.NOT_FOUND: (
        "We could not find that. Please ask at the desk.",
        "No lo encontramos. Pregunta en el mostrador.",
    ),
    Reason.DUPLICATE: ("This was already done.", "Esto ya se hizo."),
    Reason.PERMISSION_DENIED: (
        "This machine cannot do that. Please ask at the desk.",
        "Esta máquina no puede hacer eso. Pregunta en el mostrador.",
    ),
    Reason.UNKNOWN_SITE: (
        "Unknown library. Please ask at the desk.",
        "Biblioteca desconocida. Pregunta en el mostrador.",
    ),
    Reason.UNAUTHENTICATED: ("Please log in again.", "Vuelve a iniciar sesión."),
    Reason.PATRON_BLOCKED: (
        "Your card is blocked. Please see the librarian.",
        "Tu tarjeta está bloqueada. Habla con el bibliotecario.",
    ),
    Reason.PATRON_EXPIRED: (
        "Your card has expired. Please see the librarian.",
        "Tu tarjeta ha caducado. Habla con el bibliotecario.",
    ),
    Reason.FINES_OVER_LIMIT: (
        "You owe too much to borrow. Please see the librarian.",
        "Debes demasiado para pedir prestado. Habla con el bibliotecario.",
    ),
    Reason.TOO_MANY_OVERDUES: (
        "Please return your overdue items first.",
        "Primero devuelve tus materiales atrasados.",
    ),
    Reason.LIMIT_REACHED: (
        "You have reached your limit of items.",
        "Ya tienes el máximo de materiales.",
    ),
    Reason.ITEM_NOT_FOR_LOAN: (
        "This item stays in the library.",
        "Este material no se presta; se queda en la biblioteca.",
    ),
    Reason.ITEM_ON_HOLD: (
        "Someone else is waiting for this item. Please take it to the desk.",
        "Otra persona está esperando este material. Llévalo al mostrador.",
    ),
    Reason.ITEM_UNAVAILABLE: (
        "This item cannot be checked out here. Please take it to the desk.",
        "Este material no se puede prestar aquí. Llévalo al mostrador.",
    ),
    Reason.ITEM_CHECKED_OUT: (
        "This item is checked out to someone else. Please take it to the desk.",
        "Este material está prestado a otra persona. Llévalo al mostrador.",
    ),
    Reason.NO_RENEWALS_LEFT: (
        "This item cannot be renewed again.",
        "Este material no se puede renovar otra vez.",
    ),
    Reason.NOT_CHECKED_OUT: (
        "This item is not checked out to you.",
        "Este material no está prestado a ti.",
    ),
    Reason.OVER_BALANCE: (
        "That is more than you owe.",
        "Eso es más de lo que debes.",
    ),
}

# What the server itself says.
SAYS: dict[str, tuple[str, str]] = {
    "checked_out": ("Checked out. Due {due}.", "Prestado. Devuélvelo el {due}."),
    "already_yours": (
        "You already have this item. Due {due}.",
        "Ya tienes este material. Devuélvelo el {due}.",
    ),
    "renewed": ("Renewed. Due {due}.", "Renovado. Devuélvelo el {due}."),
    "checked_in": ("Thank you. Item returned.", "Gracias. Material devuelto."),
    "hold_shelf": (
        "Returned. Someone is waiting for this: please put it on the hold shelf.",
        "Devuelto. Alguien lo espera: ponlo en el estante de reservas.",
    ),
    "transit": (
        "Returned. This item goes to {site}: please leave it at the desk.",
        "Devuelto. Este material va a {site}: déjalo en el mostrador.",
    ),
    "late_fine": ("Returned late: {amount} fine.", "Devuelto tarde: multa de {amount}."),
    "pin_wrong": ("Wrong PIN. Please try again.", "PIN incorrecto. Inténtalo otra vez."),
    "pin_locked": (
        "Too many wrong PINs. Please try later or see the librarian.",
        "Demasiados PIN incorrectos. Inténtalo más tarde o habla con el bibliotecario.",
    ),
    "pin_needed": ("Please enter your PIN.", "Escribe tu PIN."),
    "no_patron": (
        "We do not know this card. Please see the librarian.",
        "No conocemos esta tarjeta. Habla con el bibliotecario.",
    ),
    "no_item": (
        "We do not know this item. Please take it to the desk.",
        "No conocemos este material. Llévalo al mostrador.",
    ),
    "not_allowed": (
        "This machine cannot do that. Please ask at the desk.",
        "Esta máquina no puede hacer eso. Pregunta en el mostrador.",
    ),
    "bad_request": (
        "Something went wrong. Please try again.",
        "Algo salió mal. Inténtalo otra vez.",
    ),
    "paid": ("Thank you. Payment of {amount} received.", "Gracias. Recibimos el pago de {amount}."),
    "hold_placed": ("Hold placed.", "Reserva hecha."),
    "hold_cancelled": ("Hold cancelled.", "Reserva cancelada."),
    "no_hold": ("You have no hold on this title.", "No tienes reserva de este título."),
    "not_supported": (
        "This cannot be done here. Please ask at the desk.",
        "Esto no se puede hacer aquí. Pregunta en el mostrador.",
    ),
    "goodbye": ("Goodbye. Thank you!", "¡Adiós y gracias!"),
    "renew_all": (
        "{renewed} renewed, {unrenewed} not renewed.",
        "{renewed} renovados, {unrenewed} sin renovar.",
    ),
}


def _pick(pair: tuple[str, str], language: str) -> str:
    return pair[1] if language == "es" else pair[0]


def reason(code: Reason, language: str) -> str:
    return _pick(REASONS.get(code, REASONS[Reason.INVALID]), language)


def say(key: str, language: str, **values: object) -> str:
    return _pick(SAYS[key], language).format(**values)
