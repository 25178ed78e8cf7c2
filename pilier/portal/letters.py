"""The client-access letter: the office's own text per language (`LetterTemplate`), else ours (`DEFAULTS`).

Placeholders, replaced as written (no other brace is read): {client_name}, {broker_name}, {office} and {link}
(the one-time link; added at the end of the text when the office's version leaves it out).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .models import LetterKind, LetterTemplate

if TYPE_CHECKING:
    from pilier.accounts.models import Office, User

LANGUAGES = ("fr", "nl", "en")
PLACEHOLDERS = ("{client_name}", "{broker_name}", "{office}", "{link}")
LINK_PLACEHOLDER = "{link}"


@dataclass
class Letter:
    subject: str
    body: str
    custom: bool = False  # the office's own text (else ours)


# Our default text, one per language: what the access is for and why it matters to the client.
DEFAULTS: dict[str, Letter] = {
    "fr": Letter(
        subject="Votre dossier pension et protection en ligne – {office}",
        body=(
            "Bonjour {client_name},\n\n"
            "Nous avons rassemblé dans un seul dossier tout ce qui concerne votre pension et votre protection : "
            "votre carrière, vos contrats de pension (PLCI, EIP, épargne-pension…), vos couvertures en cas "
            "d'incapacité de travail et de décès, et vos placements, y compris les contrats que notre bureau ne gère "
            "pas.\n\n"
            "Vous pouvez désormais consulter ce dossier en ligne, à tout moment. Vous y verrez aussi l'analyse de "
            "l'année : ce que vous pouvez encore verser cette année avec un avantage fiscal et ce que cela vous "
            "rapporte, expliqué simplement.\n\n"
            "Pourquoi c'est important : un dossier complet et à jour permet de ne pas laisser passer un avantage "
            "fiscal, de vérifier que votre famille et vous-même êtes bien protégés, et de préparer votre pension "
            "sans mauvaise surprise. Si vous y remarquez une erreur ou un contrat manquant, dites-le-nous.\n\n"
            "Pour activer votre accès, choisissez votre mot de passe via ce lien personnel (valable 7 jours, "
            "utilisable une seule fois) :\n{link}\n\n"
            "Votre identifiant est votre adresse e-mail. Le dossier est en lecture seule : rien ne peut y être "
            "modifié par erreur.\n\n"
            "Bien à vous,\n{broker_name}\n{office}"
        ),
    ),
    "nl": Letter(
        subject="Uw pensioen- en beschermingsdossier online – {office}",
        body=(
            "Beste {client_name},\n\n"
            "We hebben alles over uw pensioen en uw bescherming in één dossier samengebracht: uw loopbaan, uw "
            "pensioencontracten (VAPZ, IPT, pensioensparen…), uw dekkingen bij arbeidsongeschiktheid en "
            "overlijden, en uw beleggingen, ook de contracten die ons kantoor niet beheert.\n\n"
            "U kunt dit dossier voortaan op elk moment online bekijken. U vindt er ook de analyse van het jaar: "
            "wat u dit jaar nog met fiscaal voordeel kunt storten en wat dat u oplevert, eenvoudig uitgelegd.\n\n"
            "Waarom dat belangrijk is: met een volledig en actueel dossier laat u geen fiscaal voordeel liggen, "
            "weet u of u en uw gezin goed beschermd zijn, en bereidt u uw pensioen voor zonder onaangename "
            "verrassingen. Ziet u een fout of ontbreekt er een contract, laat het ons weten.\n\n"
            "Om uw toegang te activeren, kiest u uw wachtwoord via deze persoonlijke link (7 dagen geldig, "
            "één keer te gebruiken):\n{link}\n\n"
            "Uw gebruikersnaam is uw e-mailadres. Het dossier is alleen-lezen: er kan niets per vergissing in "
            "gewijzigd worden.\n\n"
            "Met vriendelijke groeten,\n{broker_name}\n{office}"
        ),
    ),
    "en": Letter(
        subject="Your pension and protection file online – {office}",
        body=(
            "Dear {client_name},\n\n"
            "We have gathered everything about your pension and your protection in one file: your career, your "
            "pension contracts, your cover in case of disability and death, and your investments, including the "
            "contracts our office does not manage.\n\n"
            "You can now read this file online at any time. It also shows this year's analysis: what you can "
            "still pay in this year with a tax advantage and what it brings you, explained in plain words.\n\n"
            "Why it matters: a complete, up-to-date file means no tax advantage is missed, you know whether you "
            "and your family are well protected, and your pension is prepared without bad surprises. If you notice "
            "a mistake or a missing contract, please tell us.\n\n"
            "To activate your access, choose your password with this personal link (valid for 7 days, usable "
            "once):\n{link}\n\n"
            "Your login is your e-mail address. The file is read-only: nothing can be changed in it by mistake.\n\n"
            "Kind regards,\n{broker_name}\n{office}"
        ),
    ),
}


def letter_language(language: str) -> str:
    return language if language in LANGUAGES else "fr"


def template_for(office: Office, language: str) -> Letter:
    """The office's text in `language`, else ours."""
    language = letter_language(language)
    row = LetterTemplate.objects.filter(office=office, kind=LetterKind.CLIENT_ACCESS, language=language).first()
    if row is not None:
        return Letter(subject=row.subject, body=row.body, custom=True)
    default = DEFAULTS[language]
    return Letter(subject=default.subject, body=default.body)


def save_template(*, office: Office, language: str, subject: str, body: str, by: User | None = None) -> LetterTemplate:
    row, _created = LetterTemplate.objects.update_or_create(
        office=office,
        kind=LetterKind.CLIENT_ACCESS,
        language=letter_language(language),
        defaults={"subject": subject, "body": body, "updated_by": by},
    )
    return row


def reset_template(*, office: Office, language: str) -> None:
    LetterTemplate.objects.filter(office=office, kind=LetterKind.CLIENT_ACCESS, language=language).delete()


def fill(text: str, *, client_name: str, broker_name: str, office: str, link: str | None = None) -> str:
    """The placeholders replaced; {link} kept as is when `link` is None (the broker's preview)."""
    text = text.replace("{client_name}", client_name).replace("{broker_name}", broker_name)
    text = text.replace("{office}", office)
    return text if link is None else text.replace(LINK_PLACEHOLDER, link)


def with_link(body: str, link: str) -> str:
    """The body with the link in place of {link}, or at its end when the text has no {link}."""
    if LINK_PLACEHOLDER in body:
        return body.replace(LINK_PLACEHOLDER, link)
    return f"{body.rstrip()}\n\n{link}\n"
